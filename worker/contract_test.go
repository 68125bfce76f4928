package worker

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"

	"github.com/openova-io/core/secret"
	"github.com/openova-io/core/web/audit"
)

// secretName is what a secret-bearing field may be called; broader than
// the audit's own name rule on purpose: a field named like this must be
// masked, by its type (secret.Text, secret.Bytes) or its name.
var secretName = regexp.MustCompile(`(?i)(key|token|password|passwd|secret|credential|kubeconfig|private|values)`)

// notSecret are fields whose names look secret but hold none, each with why.
var notSecret = map[string]string{
	"SSHPublicKey":   "a public key, shown on purpose",
	"IdempotencyKey": "the self-check's receipt name",
	"SecretRef":      "the name of a Kubernetes Secret, not its data",
	"KeyPrefix":      "the bucket's folder for state files",
	"PrivateIPv4":    "a node's address on the private network",
	"PublicKey":      "a WireGuard gateway's public key, which the other gateway names as its peer",
	"CatalogValues":  "the public catalog's Helm values for a release, which its validation keeps free of passwords; the platform's own values stay masked (Values)",
}

// leaf is one value the filler wrote, as the payload's JSON spells it.
type leaf struct {
	path, shown string
	secret      bool
}

// filler fills every field of a contract type, recursively: strings and
// bytes with a value of its own (a canary, or key material), maps and
// slices with one element.
type filler struct {
	leaves []leaf
	// value is what a string leaf gets, from its number.
	value func(n int) string
}

var jsonMarshaler = reflect.TypeFor[json.Marshaler]()

func (f *filler) fill(v reflect.Value, path string, isSecret bool, depth int) {
	t := v.Type()
	if depth > 6 || (!secret.Is(t) && (t.Implements(jsonMarshaler) || reflect.PointerTo(t).Implements(jsonMarshaler))) {
		return // time.Time, apiextensionsv1.JSON: marshal themselves
	}
	record := func(shown string) { f.leaves = append(f.leaves, leaf{path: path, shown: shown, secret: isSecret}) }
	switch t.Kind() {
	case reflect.String:
		s := f.value(len(f.leaves))
		v.SetString(s)
		record(s)
	case reflect.Interface:
		s := f.value(len(f.leaves))
		v.Set(reflect.ValueOf(s))
		record(s)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			b := []byte(f.value(len(f.leaves)))
			v.SetBytes(b)
			record(base64.StdEncoding.EncodeToString(b))
			return
		}
		v.Set(reflect.MakeSlice(t, 1, 1))
		f.fill(v.Index(0), path+"[0]", isSecret, depth+1)
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return
		}
		e := reflect.New(t.Elem()).Elem()
		f.fill(e, path+"[k]", isSecret, depth+1)
		v.Set(reflect.MakeMap(t))
		v.SetMapIndex(reflect.ValueOf(fmt.Sprintf("k%d", len(f.leaves))).Convert(t.Key()), e)
	case reflect.Pointer:
		v.Set(reflect.New(t.Elem()))
		f.fill(v.Elem(), path, isSecret, depth+1)
	case reflect.Struct:
		for i := range t.NumField() {
			sf := t.Field(i)
			if _, ok := secret.JSONName(sf); !ok {
				continue
			}
			named := secretName.MatchString(sf.Name) && notSecret[sf.Name] == ""
			f.fill(v.Field(i), path+"."+sf.Name, isSecret || named || secret.Is(sf.Type), depth+1)
		}
	}
}

// shown is what the audit view renders of a value of t filled by f.
func shown(t *testing.T, typ reflect.Type, f *filler) string {
	v := reflect.New(typ).Elem()
	f.fill(v, typ.String(), false, 0)
	p, err := converter.GetDefaultDataConverter().ToPayload(v.Interface())
	require.NoError(t, err)
	d := audit.Decoder{Data: converter.GetDefaultDataConverter(), SecretFields: SecretFields()}
	return d.Payload(p)
}

// Every secret-bearing field of every workflow's and activity's input and
// result (a field of a secret type, or named like a secret) is masked in
// the audit view; the other fields are shown, so the test sees the payload.
func TestAuditMasksEverySecretField(t *testing.T) {
	types := ContractTypes()
	require.Greater(t, len(types), 50, "the walk reaches the contract")
	secretLeaves := 0
	for _, typ := range types {
		t.Run(typ.String(), func(t *testing.T) {
			f := &filler{value: func(n int) string { return fmt.Sprintf("canary-%04d-%s", n, strings.Repeat("x", 8)) }}
			out := shown(t, typ, f)
			for _, l := range f.leaves {
				if l.secret {
					secretLeaves++
					require.NotContains(t, out, l.shown, "%s is secret-bearing: type it secret.Text/secret.Bytes (or list it in notSecret with why)", l.path)
				}
			}
			if len(f.leaves) > 0 && !f.leaves[0].secret && len(out) < 3500 {
				require.Contains(t, out, f.leaves[0].shown, "the audit shows %s: the walk reads real output", f.leaves[0].path)
			}
		})
	}
	require.Greater(t, secretLeaves, 10, "the walk found the contract's secrets")
}

// Key material is masked in any field, whatever its name or type: every
// string and byte field of every contract type holding a PEM private key
// (bytes: a kubeconfig with the key) shows none.
func TestAuditMasksKeyMaterialInAnyField(t *testing.T) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(k)
	require.NoError(t, err)
	key := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	body := strings.Split(key, "\n")[1]
	for _, typ := range ContractTypes() {
		t.Run(typ.String(), func(t *testing.T) {
			out := shown(t, typ, &filler{value: func(int) string { return key }})
			require.NotContains(t, out, "PRIVATE KEY")
			require.NotContains(t, out, body)
		})
	}
}

func TestSecretFieldsNameTheBootstrapKeys(t *testing.T) {
	require.Subset(t, SecretFields(), []string{"ServerCAKey", "ClientCAKey", "AdminKey", "JoinToken", "Kubeconfig", "SecretKey"})
}
