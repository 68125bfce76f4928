// Package recovery seals what a platform needs once the bootstrap
// machine is gone (issue 19's recovery bundle): each region's admin
// kubeconfig and CA, the OpenTofu state key and the Gitea admin token,
// encrypted with a passphrase the user types.
//
// The bundle is an age file (filippo.io/age, scrypt recipient, ASCII
// armor) holding a tar of plain files, so it opens without openova too:
// `age -d bundle.age | tar -x` gives kubeconfig-<region>.yaml and the rest.
// age authenticates every chunk, so a damaged bundle is refused, never
// half-read.
package recovery

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"filippo.io/age"
	"filippo.io/age/armor"

	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/secret"
)

// MinPassphrase is the shortest passphrase Seal takes: the bundle holds
// cluster-admin credentials and may sit in a download folder for years.
const MinPassphrase = 12

// Errors Open returns, for the caller to tell apart.
var (
	ErrWrongPassphrase = errors.New("the passphrase does not open this bundle: type the one you chose when you downloaded it")
	ErrDamaged         = errors.New("the file is damaged or is not an openova recovery bundle: download it again from the bootstrap's final page, or use another copy")
)

// Bundle is what a recovery bundle holds.
type Bundle struct {
	Organization string
	Regions      []Region
	// StateKey recovers the OpenTofu state (its encryption key, base64);
	// StateKeyID is what the state's metadata names it by (the ID of the
	// codec key it was derived from; not a secret).
	StateKey   secret.Text
	StateKeyID string
	// GiteaToken is the Gitea site admin's token.
	GiteaToken secret.Text
	// Platform is the platform as built, without secrets: what openova
	// started with the bundle plans a change from. A bundle sealed before
	// it was kept has none (Organization empty).
	Platform bootstrap.Input
}

// Region is one cluster's way in.
type Region struct {
	Name       string
	Kubeconfig secret.Bytes
	// CA is the cluster CA (PEM) that signed its API, Gitea and manager.
	CA string
}

// Seal writes b, encrypted with passphrase, to w.
func Seal(w io.Writer, b Bundle, passphrase secret.Text) error {
	if n := len([]rune(passphrase.Reveal())); n < MinPassphrase {
		return fmt.Errorf("the passphrase has %d characters: choose one of at least %d", n, MinPassphrase)
	}
	files, err := b.files()
	if err != nil {
		return err
	}
	var plain bytes.Buffer
	tw := tar.NewWriter(&plain)
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o600, Size: int64(len(f.data)), Format: tar.FormatPAX}); err != nil {
			return err
		}
		if _, err := tw.Write(f.data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	r, err := age.NewScryptRecipient(passphrase.Reveal())
	if err != nil {
		return fmt.Errorf("seal the bundle: %w", err)
	}
	aw := armor.NewWriter(w)
	ew, err := age.Encrypt(aw, r)
	if err != nil {
		return fmt.Errorf("seal the bundle: %w", err)
	}
	if _, err := ew.Write(plain.Bytes()); err != nil {
		return fmt.Errorf("seal the bundle: %w", err)
	}
	if err := ew.Close(); err != nil {
		return fmt.Errorf("seal the bundle: %w", err)
	}
	return aw.Close()
}

type file struct {
	name string
	data []byte
}

// files are the bundle's entries, in a fixed order.
func (b Bundle) files() ([]file, error) {
	if b.Organization == "" || len(b.Regions) == 0 {
		return nil, errors.New("a recovery bundle needs the organization and at least one region")
	}
	out := []file{{"README.txt", []byte(readme(b))}}
	for _, r := range b.Regions {
		if r.Name == "" || strings.ContainsAny(r.Name, "/\\.") || len(r.Kubeconfig) == 0 {
			return nil, fmt.Errorf("region %q of the bundle needs a plain name and its kubeconfig", r.Name)
		}
		out = append(out, file{"kubeconfig-" + r.Name + ".yaml", []byte(r.Kubeconfig)}, file{"ca-" + r.Name + ".crt", []byte(r.CA)})
	}
	out = append(out, file{"opentofu-state.key", []byte(b.StateKey.Reveal())}, file{"opentofu-state.key-id", []byte(b.StateKeyID)},
		file{"gitea-admin.token", []byte(b.GiteaToken.Reveal())})
	if b.Platform.Organization != "" {
		plain := b.Platform.WithoutSecrets()
		data, err := json.MarshalIndent(plain, "", "  ")
		if err != nil {
			return nil, fmt.Errorf("the platform of the bundle: %w", err)
		}
		out = append(out, file{"platform.json", data})
	}
	return out, nil
}

func readme(b Bundle) string {
	names := make([]string, len(b.Regions))
	for i, r := range b.Regions {
		names[i] = r.Name
	}
	return "openova recovery bundle of " + b.Organization + " (" + strings.Join(names, ", ") + ")\n\n" +
		"kubeconfig-<region>.yaml  cluster-admin of the region's API server\n" +
		"ca-<region>.crt           the region's CA (API, Gitea, manager)\n" +
		"opentofu-state.key        the OpenTofu state encryption key (base64)\n" +
		"opentofu-state.key-id     the ID the state's metadata names that key by\n" +
		"platform.json             the platform as built, without secrets\n" +
		"gitea-admin.token         the Gitea site admin's token\n"
}

// maxBundle bounds what Open reads: a bundle is a few KiB per region.
const maxBundle = 4 << 20

// Open decrypts a bundle. A wrong passphrase is ErrWrongPassphrase;
// anything that is not an intact bundle is ErrDamaged. Nothing is written
// anywhere: the caller decides what to do with what it gets.
func Open(r io.Reader, passphrase secret.Text) (Bundle, error) {
	id, err := age.NewScryptIdentity(passphrase.Reveal())
	if err != nil {
		return Bundle{}, ErrWrongPassphrase
	}
	dr, err := age.Decrypt(armor.NewReader(io.LimitReader(r, maxBundle)), id)
	if err != nil {
		var none *age.NoIdentityMatchError
		if errors.As(err, &none) || errors.Is(err, age.ErrIncorrectIdentity) {
			return Bundle{}, ErrWrongPassphrase
		}
		return Bundle{}, ErrDamaged
	}
	plain, err := io.ReadAll(io.LimitReader(dr, maxBundle))
	if err != nil {
		return Bundle{}, ErrDamaged
	}
	return parse(plain)
}

// parse reads the tar Seal wrote.
func parse(plain []byte) (Bundle, error) {
	files := map[string][]byte{}
	tr := tar.NewReader(bytes.NewReader(plain))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil || path.Clean(h.Name) != h.Name || strings.Contains(h.Name, "/") {
			return Bundle{}, ErrDamaged
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return Bundle{}, ErrDamaged
		}
		files[h.Name] = data
	}
	readme, ok := files["README.txt"]
	org, _, found := strings.Cut(strings.TrimPrefix(string(readme), "openova recovery bundle of "), " (")
	if !ok || !found || org == "" {
		return Bundle{}, ErrDamaged
	}
	b := Bundle{Organization: org, StateKey: secret.Text(files["opentofu-state.key"]), StateKeyID: string(files["opentofu-state.key-id"]),
		GiteaToken: secret.Text(files["gitea-admin.token"])}
	if data, ok := files["platform.json"]; ok {
		if err := json.Unmarshal(data, &b.Platform); err != nil || b.Platform.Organization != org {
			return Bundle{}, ErrDamaged
		}
	}
	var names []string
	for name := range files {
		if region, ok := strings.CutPrefix(name, "kubeconfig-"); ok {
			names = append(names, strings.TrimSuffix(region, ".yaml"))
		}
	}
	sort.Strings(names)
	for _, n := range names {
		b.Regions = append(b.Regions, Region{Name: n, Kubeconfig: files["kubeconfig-"+n+".yaml"], CA: string(files["ca-"+n+".crt"])})
	}
	if len(b.Regions) == 0 {
		return Bundle{}, ErrDamaged
	}
	return b, nil
}
