// Package importrules states the import rules of DESIGN.md as data and
// checks a package graph against them; its test runs them on this module
// (go list -deps), so a change that breaks a rule fails the suite.
package importrules

import (
	"fmt"
	"sort"
	"strings"
)

// Module is the module path the rules speak of.
const Module = "github.com/openova-io/core"

// Package is one node of the graph: its direct imports and all its
// dependencies, as go list -deps -json reports them.
type Package struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

// Rule is one statement of DESIGN.md.
type Rule struct {
	Name string
	// Check returns one line per violation found in the graph.
	Check func(g Graph) []string
}

// Graph is the module's packages (and the standard library's and
// dependencies' ones they import), by import path.
type Graph map[string]Package

// Rules are the import rules of DESIGN.md ("Packages (top level)").
var Rules = []Rule{
	{"controllers and web never import activities", func(g Graph) []string {
		return g.noDirect([]string{"controllers", "web"}, []string{"activities"})
	}},
	{"controllers and web reach activities only through workflows' typed activity references", func(g Graph) []string {
		return g.onlyThrough([]string{"controllers", "web"}, "activities", "workflows")
	}},
	{"catalog and crds import no other package of the module", func(g Graph) []string {
		return g.noDeps([]string{"catalog", "crds"}, []string{Module + "/"})
	}},
	{"secret imports nothing but the standard library: every layer marks its secrets with it", func(g Graph) []string {
		return g.noDeps([]string{"secret"}, []string{Module + "/", "go.", "k8s.io/", "sigs.k8s.io/", "github.com/"})
	}},
	{"netguard imports nothing but the standard library: every fetch of every layer goes through it", func(g Graph) []string {
		return g.noDeps([]string{"netguard"}, []string{Module + "/", "go.", "k8s.io/", "sigs.k8s.io/", "github.com/"})
	}},
	{"mesh imports only the standard library and secret: the workflows and the UI check the link's networks with it", func(g Graph) []string {
		return g.onlyStdlibAnd([]string{"mesh"}, Module+"/secret")
	}},
	{"bootstrap imports only the standard library, secret, cloud, netguard and mesh: the wizard, the workflows and the activities share the Bootstrap's contract through it", func(g Graph) []string {
		return g.onlyStdlibAnd([]string{"bootstrap"}, Module+"/secret", Module+"/cloud", Module+"/netguard", Module+"/mesh")
	}},
	{"cloud (its API client cloud/cloudapi aside) imports nothing but the standard library: the contract and the wizard check regions with it", func(g Graph) []string {
		return g.noDepsExactly([]string{"cloud"}, []string{Module + "/", "go.", "k8s.io/", "sigs.k8s.io/", "github.com/"})
	}},
	{"the wizard's pages (its Temporal adapter web/wizard/engine aside) depend on no workflows, activities, Terraform runner, cloud SDK, Git or Temporal client", func(g Graph) []string {
		return g.noDepsExactly([]string{"web/wizard"}, []string{Module + "/workflows", Module + "/activities", Module + "/terraform", Module + "/cloud/cloudapi",
			"github.com/go-git/", "github.com/hetznercloud/", "github.com/hashicorp/terraform-exec", "github.com/hashicorp/terraform-json", "go.temporal.io/"})
	}},
	{"catalog and crds import no Temporal and no Kubernetes client", func(g Graph) []string {
		return g.noDeps([]string{"catalog", "crds"}, []string{"go.temporal.io/", "k8s.io/client-go/", "sigs.k8s.io/controller-runtime/pkg/client"})
	}},
	{"only worker/embedded imports go.temporal.io/server", func(g Graph) []string {
		return g.noDirectExcept([]string{""}, "go.temporal.io/server", "worker/embedded")
	}},
	{"workflows, activities, controllers, web, catalog, crds and kube never depend on the Temporal server", func(g Graph) []string {
		return g.noDeps([]string{"workflows", "activities", "controllers", "web", "catalog", "crds", "kube"}, []string{"go.temporal.io/server/"})
	}},
	{"workflows import no Kubernetes client: activities do the I/O", func(g Graph) []string {
		return g.noDirect([]string{"workflows"}, nil, "k8s.io/client-go/", "sigs.k8s.io/controller-runtime/")
	}},
	{"only dev's own packages import dev (test servers, fakes, harnesses): the product links none", func(g Graph) []string {
		var out []string
		for _, p := range g.members([]string{""}) {
			if within(p, "dev") {
				continue
			}
			for _, imp := range g[p].Imports {
				if within(imp, "dev") {
					out = append(out, fmt.Sprintf("%s imports %s", p, imp))
				}
			}
		}
		return out
	}},
	{"activities never import workflows, controllers, worker, web or cmd", func(g Graph) []string {
		return g.noDirect([]string{"activities"}, []string{"workflows", "controllers", "worker", "web", "cmd"})
	}},
	{"workflows never import controllers, worker, web or cmd", func(g Graph) []string {
		return g.noDirect([]string{"workflows"}, []string{"controllers", "worker", "web", "cmd"})
	}},
	{"recovery depends on no activities, workflows, controllers, worker, web or cmd: the final page seals the bundle with it", func(g Graph) []string {
		return g.noDeps([]string{"recovery"}, []string{Module + "/activities", Module + "/workflows", Module + "/controllers", Module + "/worker", Module + "/web", Module + "/cmd"})
	}},
	{"image depends on no activities, workflows, controllers, worker, web or cmd: the bootstrap's activities and the image command build and push the manager's image with it", func(g Graph) []string {
		return g.noDeps([]string{"image"}, []string{Module + "/activities", Module + "/workflows", Module + "/controllers", Module + "/worker", Module + "/web", Module + "/cmd"})
	}},
}

// Check runs every rule and returns the violations, "rule: detail" each.
func Check(g Graph) []string {
	var out []string
	for _, r := range Rules {
		for _, v := range r.Check(g) {
			out = append(out, r.Name+": "+v)
		}
	}
	return out
}

// within reports whether path is the module folder dir or inside it ("" is
// the whole module).
func within(path, dir string) bool {
	base := Module
	if dir != "" {
		base += "/" + dir
	}
	return path == base || strings.HasPrefix(path, base+"/")
}

// members are the module's packages under any of dirs, sorted.
func (g Graph) members(dirs []string) []string {
	var out []string
	for p := range g {
		for _, d := range dirs {
			if within(p, d) {
				out = append(out, p)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// noDirect: no package under from imports one under the module folders to,
// or one whose path starts with any of prefixes.
func (g Graph) noDirect(from, to []string, prefixes ...string) []string {
	var out []string
	for _, p := range g.members(from) {
		for _, imp := range g[p].Imports {
			for _, d := range to {
				if within(imp, d) {
					out = append(out, fmt.Sprintf("%s imports %s", p, imp))
				}
			}
			for _, pre := range prefixes {
				if strings.HasPrefix(imp, pre) {
					out = append(out, fmt.Sprintf("%s imports %s", p, imp))
				}
			}
		}
	}
	return out
}

// noDirectExcept: no package of the module imports a path starting with
// prefix, except those under allowed.
func (g Graph) noDirectExcept(from []string, prefix, allowed string) []string {
	var out []string
	for _, p := range g.members(from) {
		if within(p, allowed) {
			continue
		}
		for _, imp := range g[p].Imports {
			if imp == prefix || strings.HasPrefix(imp, prefix+"/") {
				out = append(out, fmt.Sprintf("%s imports %s", p, imp))
			}
		}
	}
	return out
}

// onlyStdlibAnd: packages under from depend on nothing outside the
// standard library (whose first path element has no dot) but allowed and
// their own subfolders.
func (g Graph) onlyStdlibAnd(from []string, allowed ...string) []string {
	var out []string
	for _, p := range g.members(from) {
		for _, d := range g[p].Deps {
			first, _, _ := strings.Cut(d, "/")
			if !strings.Contains(first, ".") || strings.HasPrefix(d, p) {
				continue
			}
			ok := false
			for _, a := range allowed {
				ok = ok || d == a || strings.HasPrefix(d, a+"/")
			}
			if !ok {
				out = append(out, fmt.Sprintf("%s depends on %s", p, d))
			}
		}
	}
	return out
}

// noDepsExactly is noDeps for the packages dirs name exactly, without
// their subfolders (a package whose adapter lives in a subfolder).
func (g Graph) noDepsExactly(dirs, prefixes []string) []string {
	var out []string
	for _, d := range dirs {
		p := Module + "/" + d
		for _, dep := range g[p].Deps {
			for _, pre := range prefixes {
				if strings.HasPrefix(dep, pre) && !strings.HasPrefix(dep, p+"/") {
					out = append(out, fmt.Sprintf("%s depends on %s", p, dep))
				}
			}
		}
	}
	return out
}

// noDeps: no package under from depends, directly or not, on a path
// starting with any of prefixes (its own subfolders aside).
func (g Graph) noDeps(from, prefixes []string) []string {
	var out []string
	for _, p := range g.members(from) {
		for _, d := range g[p].Deps {
			for _, pre := range prefixes {
				if strings.HasPrefix(d, pre) && !strings.HasPrefix(d, p) {
					out = append(out, fmt.Sprintf("%s depends on %s", p, d))
				}
			}
		}
	}
	return out
}

// onlyThrough: with the packages under via taken out of the graph, no
// package under from can reach one under target: every path to it passes
// through via.
func (g Graph) onlyThrough(from []string, target, via string) []string {
	var out []string
	for _, p := range g.members(from) {
		seen := map[string]bool{p: true}
		parent := map[string]string{}
		queue := []string{p}
		for len(queue) > 0 {
			cur := queue[0]
			queue = queue[1:]
			if within(cur, target) {
				path := []string{cur}
				for n := parent[cur]; n != ""; n = parent[n] {
					path = append([]string{n}, path...)
				}
				out = append(out, "path "+strings.Join(path, " → "))
				break
			}
			for _, imp := range g[cur].Imports {
				if seen[imp] || within(imp, via) {
					continue
				}
				seen[imp] = true
				parent[imp] = cur
				queue = append(queue, imp)
			}
		}
	}
	return out
}
