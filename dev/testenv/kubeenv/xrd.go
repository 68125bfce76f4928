package kubeenv

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/openova-io/core/dev/testenv"
)

// CompositeCRDs returns the CRDs that Crossplane v2 would generate from the
// project's CompositeResourceDefinitions (deploy/crossplane/xrd.yaml), for
// kubeenv.Start (Shared installs them always). There is no Crossplane in the
// test cluster: the CRD keeps the XRD's group, names, scope, versions,
// printer columns and openAPIV3Schema, and adds what Crossplane adds to a
// Namespaced (modern) XR:
// status.conditions in Crossplane's shape (type, status, reason, message,
// lastTransitionTime, observedGeneration; a map list keyed by type),
// spec.crossplane and status.crossplane for its machinery fields, the
// SYNCED/READY columns, the "composite" category and the status subresource.
//
// Tests that use these CRDs play Crossplane: they set the XR's Synced and
// Ready conditions through the status subresource the way Crossplane's XR
// reconciler would, and say so in their names (e.g.
// TestWaitReleaseReady_TestPlaysCrossplane).
func CompositeCRDs(t testing.TB) []*apiextv1.CustomResourceDefinition {
	t.Helper()
	crds, err := compositeCRDs()
	if err != nil {
		t.Fatal(err)
	}
	return crds
}

func compositeCRDs() ([]*apiextv1.CustomResourceDefinition, error) {
	path := filepath.Join(testenv.RepoRoot(), "deploy", "crossplane", "xrd.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read XRD: %w", err)
	}
	crd, err := CRDFromXRD(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return []*apiextv1.CustomResourceDefinition{crd}, nil
}

// xrd is the part of apiextensions.crossplane.io/v2 CompositeResourceDefinition
// that shapes the generated CRD (the project does not import Crossplane's
// own module for it).
type xrd struct {
	Spec struct {
		Group    string                                 `json:"group"`
		Scope    string                                 `json:"scope"`
		Names    apiextv1.CustomResourceDefinitionNames `json:"names"`
		Versions []xrdVersion                           `json:"versions"`
	} `json:"spec"`
}

type xrdVersion struct {
	Name                     string                                    `json:"name"`
	Served                   bool                                      `json:"served"`
	Referenceable            bool                                      `json:"referenceable"`
	AdditionalPrinterColumns []apiextv1.CustomResourceColumnDefinition `json:"additionalPrinterColumns"`
	Schema                   struct {
		OpenAPIV3Schema apiextv1.JSONSchemaProps `json:"openAPIV3Schema"`
	} `json:"schema"`
}

// CRDFromXRD converts one XRD document to the CRD Crossplane generates for
// it (see CompositeCRDs).
func CRDFromXRD(data []byte) (*apiextv1.CustomResourceDefinition, error) {
	var x xrd
	if err := yaml.Unmarshal(data, &x); err != nil {
		return nil, err
	}
	names := x.Spec.Names
	if names.Singular == "" {
		names.Singular = strings.ToLower(names.Kind)
	}
	if names.ListKind == "" {
		names.ListKind = names.Kind + "List"
	}
	names.Categories = appendMissing(names.Categories, "composite")
	scope := apiextv1.NamespaceScoped
	if x.Spec.Scope == "Cluster" || x.Spec.Scope == "LegacyCluster" {
		scope = apiextv1.ClusterScoped
	}
	crd := &apiextv1.CustomResourceDefinition{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apiextensions.k8s.io/v1", Kind: "CustomResourceDefinition"},
		ObjectMeta: metav1.ObjectMeta{Name: names.Plural + "." + x.Spec.Group},
		Spec: apiextv1.CustomResourceDefinitionSpec{
			Group: x.Spec.Group,
			Names: names,
			Scope: scope,
		},
	}
	for _, v := range x.Spec.Versions {
		schema := v.Schema.OpenAPIV3Schema.DeepCopy()
		addCrossplaneFields(schema)
		crd.Spec.Versions = append(crd.Spec.Versions, apiextv1.CustomResourceDefinitionVersion{
			Name:                     v.Name,
			Served:                   v.Served,
			Storage:                  v.Referenceable,
			Schema:                   &apiextv1.CustomResourceValidation{OpenAPIV3Schema: schema},
			Subresources:             &apiextv1.CustomResourceSubresources{Status: &apiextv1.CustomResourceSubresourceStatus{}},
			AdditionalPrinterColumns: append(crossplaneColumns(), v.AdditionalPrinterColumns...),
		})
	}
	return crd, nil
}

// addCrossplaneFields adds the fields Crossplane adds to a modern XR's schema.
func addCrossplaneFields(s *apiextv1.JSONSchemaProps) {
	if s.Type == "" {
		s.Type = "object"
	}
	if s.Properties == nil {
		s.Properties = map[string]apiextv1.JSONSchemaProps{}
	}
	preserve := true
	machinery := apiextv1.JSONSchemaProps{Type: "object", XPreserveUnknownFields: &preserve}

	spec := s.Properties["spec"]
	spec.Type = "object"
	if spec.Properties == nil {
		spec.Properties = map[string]apiextv1.JSONSchemaProps{}
	}
	spec.Properties["crossplane"] = machinery
	s.Properties["spec"] = spec

	status := s.Properties["status"]
	status.Type = "object"
	if status.Properties == nil {
		status.Properties = map[string]apiextv1.JSONSchemaProps{}
	}
	status.Properties["crossplane"] = machinery
	mapList, key := "map", "type"
	status.Properties["conditions"] = apiextv1.JSONSchemaProps{
		Type:         "array",
		XListType:    &mapList,
		XListMapKeys: []string{key},
		Items: &apiextv1.JSONSchemaPropsOrArray{Schema: &apiextv1.JSONSchemaProps{
			Type:     "object",
			Required: []string{"lastTransitionTime", "reason", "status", "type"},
			Properties: map[string]apiextv1.JSONSchemaProps{
				"type":               {Type: "string"},
				"status":             {Type: "string"},
				"reason":             {Type: "string"},
				"message":            {Type: "string"},
				"lastTransitionTime": {Type: "string", Format: "date-time"},
				"observedGeneration": {Type: "integer", Format: "int64"},
			},
		}},
	}
	s.Properties["status"] = status
}

func crossplaneColumns() []apiextv1.CustomResourceColumnDefinition {
	return []apiextv1.CustomResourceColumnDefinition{
		{Name: "SYNCED", Type: "string", JSONPath: ".status.conditions[?(@.type=='Synced')].status"},
		{Name: "READY", Type: "string", JSONPath: ".status.conditions[?(@.type=='Ready')].status"},
		{Name: "COMPOSITION", Type: "string", JSONPath: ".spec.crossplane.compositionRef.name"},
		{Name: "AGE", Type: "date", JSONPath: ".metadata.creationTimestamp"},
	}
}

func appendMissing(list []string, s string) []string {
	for _, v := range list {
		if v == s {
			return list
		}
	}
	return append(list, s)
}
