package deploy_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/dev/testenv/kubeenv"
)

// A Platform whose catalog index or Git repository points at a link-local
// or cloud metadata address is refused by the API server (kubectl apply
// shows why), before the manager would refuse to fetch it; addresses and
// names that merely look alike are accepted.
func TestCRDRefusesMetadataAddresses(t *testing.T) {
	env := kubeenv.Shared(t)
	c, ns := newClient(t, env.Config), env.Namespace
	const why = "points at a link-local or cloud metadata address"
	refused := []string{
		"http://169.254.169.254/latest/meta-data/",
		"https://169.254.169.254",
		"https://user@169.254.10.1:8443/index.yaml",
		"https://100.100.100.200/latest/meta-data/",
		"https://168.63.129.16/machine",
		"https://[fe80::1]/index.yaml",
		"https://[FE80::a:b%25eth0]:443/",
		"https://[fd00:ec2::254]/latest/meta-data/",
		"https://[::ffff:169.254.169.254]/",
		"https://metadata.google.internal/computeMetadata/v1/",
		"https://Metadata.Google.Internal./computeMetadata/v1/",
		"http://metadata/computeMetadata/v1/",
		"https://instance-data.ec2.internal/latest/",
	}
	accepted := []string{
		"https://catalog.openova.io/index.yaml",
		"https://metadata.example.com/index.yaml",
		"https://10.169.254.1/index.yaml",
		"https://[fd00::5]/index.yaml",
	}
	for i, u := range refused {
		for _, field := range []string{"catalogIndexURL", "git.url"} {
			p := productPlatform(ns)
			if field == "git.url" {
				p.Spec.Delivery, p.Spec.Git = v1alpha1.DeliveryGitOps, &v1alpha1.GitRepository{URL: u}
			} else {
				p.Spec.CatalogIndexURL = u
			}
			err := c.Create(context.Background(), p, client.DryRunAll)
			require.Error(t, err, "the API server accepted %s %s (%d)", field, u, i)
			require.ErrorContains(t, err, "spec."+field)
			require.ErrorContains(t, err, why)
		}
	}
	for _, u := range accepted {
		p := productPlatform(ns)
		p.Spec.CatalogIndexURL = u
		p.Spec.Delivery, p.Spec.Git = v1alpha1.DeliveryGitOps, &v1alpha1.GitRepository{URL: u}
		require.NoError(t, c.Create(context.Background(), p, client.DryRunAll), u)
	}
}
