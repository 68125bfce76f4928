# The servers. cloud-init (contract/k3s-cloud-init.yaml.tftpl) writes the
# pre-generated CAs where k3s looks for them and the k3s configuration, then
# installs the pinned k3s release; the provider keeps only a hash of
# user_data in the state.
#
# cloud-init runs at first boot only, and the provider replaces a server
# whose user_data or SSH keys change: a later change to the platform (a
# worker added, a newer openova with another k3s pin, Cilium's operator
# counting the nodes) must never replace a running node, least of all an
# etcd member. So both are read once, when a server is created.

resource "hcloud_server" "control_plane" {
  count              = var.control_plane_count
  name               = "${local.cluster}-cp-${count.index}"
  server_type        = var.control_plane_size
  image              = "ubuntu-24.04"
  location           = var.region
  placement_group_id = hcloud_placement_group.nodes.id
  ssh_keys           = hcloud_ssh_key.break_glass[*].id
  labels             = merge(local.labels, { "openova.io/node-role" = "control-plane" })
  user_data          = local.control_plane_user_data[count.index]
  public_net {
    ipv4_enabled = true
    # The link's gateway (cp-0) has the region's Primary IP, the address
    # the other region's wg0.conf names.
    ipv4         = count.index == 0 ? one(hcloud_primary_ip.gateway[*].id) : null
    ipv6_enabled = true
  }
  network {
    network_id = hcloud_network.nodes.id
    ip         = local.control_plane_ips[count.index]
  }
  lifecycle {
    ignore_changes = [user_data, ssh_keys]
  }
  depends_on = [hcloud_network_subnet.nodes, hcloud_firewall.nodes]
}

resource "hcloud_server" "worker" {
  count              = var.worker_count
  name               = "${local.cluster}-worker-${count.index}"
  server_type        = var.worker_size
  image              = "ubuntu-24.04"
  location           = var.region
  placement_group_id = hcloud_placement_group.workers[floor(count.index / 10)].id
  ssh_keys           = hcloud_ssh_key.break_glass[*].id
  labels             = merge(local.labels, { "openova.io/node-role" = "worker" })
  user_data          = local.worker_user_data[count.index]
  public_net {
    ipv4_enabled = true
    ipv6_enabled = true
  }
  network {
    network_id = hcloud_network.nodes.id
    ip         = local.worker_ips[count.index]
  }
  lifecycle {
    ignore_changes = [user_data, ssh_keys]
  }
  depends_on = [hcloud_network_subnet.nodes, hcloud_firewall.nodes]
}
