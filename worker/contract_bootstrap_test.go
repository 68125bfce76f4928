package worker

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/dev/testenv"
)

// notPayload are package bootstrap's types that no workflow or activity
// input or result holds, each with why.
var notPayload = map[string]string{
	"Progress":       "the progress query's answer: computed, never in history",
	"RegionProgress": "part of Progress",
	"ProgressStep":   "part of Progress",
	"FieldError":     "Validate's answer (the workflow's refusal carries it in a failure's details)",
}

// Every struct type of the Bootstrap's contract (package bootstrap) is
// reached by ContractTypes' walk, so the audit's secret-field list
// (SecretFields) covers it: a payload type added to the contract that no
// signature reaches yet would otherwise have its secrets unlisted.
func TestContractTypesReachTheBootstrapContract(t *testing.T) {
	reached := map[string]bool{}
	var walk func(reflect.Type)
	walk = func(t reflect.Type) {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
			walk(t.Elem())
		case reflect.Struct:
			if reached[t.PkgPath()+"."+t.Name()] {
				return
			}
			reached[t.PkgPath()+"."+t.Name()] = true
			for i := range t.NumField() {
				walk(t.Field(i).Type)
			}
		}
	}
	for _, t := range ContractTypes() {
		walk(t)
	}

	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(testenv.RepoRoot(), "bootstrap", "*.go"))
	require.NoError(t, err)
	structs := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		require.NoError(t, err)
		for _, d := range file.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.TYPE {
				continue
			}
			for _, s := range g.Specs {
				ts := s.(*ast.TypeSpec)
				if _, isStruct := ts.Type.(*ast.StructType); !isStruct || !ts.Name.IsExported() || notPayload[ts.Name.Name] != "" {
					continue
				}
				structs++
				require.True(t, reached["github.com/openova-io/core/bootstrap."+ts.Name.Name],
					"bootstrap.%s is not reached by ContractTypes: use it in a workflow's or activity's signature, or list it in notPayload with why", ts.Name.Name)
			}
		}
	}
	require.Greater(t, structs, 10, "the parse found the contract")
}
