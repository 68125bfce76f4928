package fakehcloud

import (
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/hetznercloud/hcloud-go/v2/hcloud/schema"
)

// createSSHKey is POST /ssh_keys. Names and fingerprints are unique in a
// project, as in the API.
func (s *Server) createSSHKey(c *call) (any, error) {
	var req schema.SSHKeyCreateRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	c.kind, c.name = KindSSHKey, req.Name
	if req.Name == "" {
		return nil, errInvalid("name", "is required")
	}
	pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(req.PublicKey))
	if err != nil {
		return nil, errInvalid("public_key", "invalid public key: %v", err)
	}
	fp := ssh.FingerprintLegacyMD5(pub)
	labels, err := labelsFrom(req.Labels)
	if err != nil {
		return nil, err
	}
	if find(s.st.sshKeys, func(k *schema.SSHKey) bool { return k.Name == req.Name }) != nil {
		return nil, errUnique("name", "SSH key name "+req.Name)
	}
	if find(s.st.sshKeys, func(k *schema.SSHKey) bool { return k.Fingerprint == fp }) != nil {
		return nil, errUnique("public_key", "SSH key with the same fingerprint")
	}
	k := &schema.SSHKey{ID: s.st.newID(), Name: req.Name, Fingerprint: fp,
		PublicKey: strings.TrimSpace(req.PublicKey), Labels: labels, Created: now()}
	s.st.sshKeys[k.ID] = k
	s.log.created(KindSSHKey, k.Name)
	return schema.SSHKeyCreateResponse{SSHKey: *k}, nil
}

// listSSHKeys is GET /ssh_keys, also filtered by fingerprint.
func (s *Server) listSSHKeys(c *call) (any, error) {
	items := sorted(s.st.sshKeys)
	if fp := c.r.URL.Query().Get("fingerprint"); fp != "" {
		items = slicesFilter(items, func(k *schema.SSHKey) bool { return k.Fingerprint == fp })
	}
	page, meta, err := listPage(c, items, func(k *schema.SSHKey) string { return k.Name },
		func(k *schema.SSHKey) map[string]string { return k.Labels }, func(k *schema.SSHKey) schema.SSHKey { return *k })
	if err != nil {
		return nil, err
	}
	return struct {
		schema.SSHKeyListResponse
		schema.MetaResponse
	}{schema.SSHKeyListResponse{SSHKeys: page}, meta}, nil
}

// getSSHKey is GET /ssh_keys/{id}.
func (s *Server) getSSHKey(c *call) (any, error) {
	k, err := lookup(c, s.st.sshKeys, "SSH key")
	if err != nil {
		return nil, err
	}
	return schema.SSHKeyGetResponse{SSHKey: *k}, nil
}

// updateSSHKey is PUT /ssh_keys/{id}: name and labels.
func (s *Server) updateSSHKey(c *call) (any, error) {
	k, err := lookup(c, s.st.sshKeys, "SSH key")
	if err != nil {
		return nil, err
	}
	c.kind, c.name = KindSSHKey, k.Name
	var req schema.SSHKeyUpdateRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if req.Name != "" && req.Name != k.Name {
		if find(s.st.sshKeys, func(o *schema.SSHKey) bool { return o.Name == req.Name }) != nil {
			return nil, errUnique("name", "SSH key name "+req.Name)
		}
	}
	if req.Labels != nil {
		labels, err := labelsFrom(req.Labels)
		if err != nil {
			return nil, err
		}
		k.Labels = labels
	}
	if req.Name != "" {
		k.Name = req.Name
	}
	return schema.SSHKeyUpdateResponse{SSHKey: *k}, nil
}

// deleteSSHKey is DELETE /ssh_keys/{id}; servers keep working without it.
func (s *Server) deleteSSHKey(c *call) (any, error) {
	k, err := lookup(c, s.st.sshKeys, "SSH key")
	if err != nil {
		return nil, err
	}
	c.kind, c.name = KindSSHKey, k.Name
	delete(s.st.sshKeys, k.ID)
	return nil, nil
}

// slicesFilter keeps the items for which keep is true.
func slicesFilter[T any](items []*T, keep func(*T) bool) []*T {
	var out []*T
	for _, it := range items {
		if keep(it) {
			out = append(out, it)
		}
	}
	return out
}
