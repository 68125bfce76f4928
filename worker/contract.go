package worker

import (
	"reflect"
	"sort"

	"github.com/openova-io/core/secret"
	"github.com/openova-io/core/workflows"
)

// ContractTypes are the types of every workflow's and every activity's
// input and result, of both modes: what travels in payloads, so what the
// history (and the audit view) holds. Contexts and errors (interfaces) are
// left out.
func ContractTypes() []reflect.Type {
	seen := map[reflect.Type]bool{}
	add := func(fn reflect.Type, skipFirst int) {
		for i := skipFirst; i < fn.NumIn(); i++ {
			seen[fn.In(i)] = true
		}
		for i := range fn.NumOut() {
			seen[fn.Out(i)] = true
		}
	}
	for _, wf := range workflows.AllWorkflows() {
		add(reflect.TypeOf(wf), 0)
	}
	for _, a := range hostedActivities() {
		t := reflect.TypeOf(a)
		for i := range t.NumMethod() {
			add(t.Method(i).Type, 1) // the receiver
		}
	}
	out := make([]reflect.Type, 0, len(seen))
	for t := range seen {
		if t.Kind() == reflect.Interface { // a context or an error
			continue
		}
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// hostedActivities are the activity structs of both modes (with no clients:
// only their methods' types are read).
func hostedActivities() []any {
	bootstrap := Activities(Config{Mode: ModeBootstrap, Bootstrap: &BootstrapDeps{}}, nil)
	return append(bootstrap, Activities(Config{Mode: ModeManager, Manager: &ManagerDeps{}}, nil)...)
}

// SecretFields are the JSON names of the fields typed secret.Text or
// secret.Bytes anywhere in ContractTypes: the audit view masks them.
func SecretFields() []string { return secret.Fields(ContractTypes()...) }
