# One k3s cluster in one Hetzner Cloud location: a private network, a
# firewall and spread placement groups; control-plane and worker servers
# whose cloud-init installs k3s with the CAs and token the Bootstrap workflow
# generated; a load balancer in front of the Kubernetes API and Gitea. With
# a link to another region (link.tf), cp-0 is its gateway.

# The location's network zone comes from the API itself, so an unknown
# location fails the plan instead of landing in a guessed zone.
data "hcloud_location" "region" {
  name = var.region
}

locals {
  load_balancer_ip = hcloud_load_balancer.api.ipv4
  gateway_ipv4     = var.link == null ? "" : hcloud_primary_ip.gateway[0].ip_address
  nodes = concat(
    [for s in hcloud_server.control_plane : { name = s.name, role = "control-plane", public_ipv4 = s.ipv4_address, private_ipv4 = one(s.network[*].ip) }],
    [for s in hcloud_server.worker : { name = s.name, role = "worker", public_ipv4 = s.ipv4_address, private_ipv4 = one(s.network[*].ip) }],
  )
}

resource "hcloud_ssh_key" "break_glass" {
  count      = var.ssh_public_key == "" ? 0 : 1
  name       = local.cluster
  public_key = var.ssh_public_key
  labels     = local.labels
}

resource "hcloud_network" "nodes" {
  name     = local.cluster
  ip_range = var.node_cidr
  labels   = local.labels
}

resource "hcloud_network_subnet" "nodes" {
  network_id   = hcloud_network.nodes.id
  type         = "cloud"
  network_zone = data.hcloud_location.region.network_zone
  ip_range     = local.subnet
}

# Traffic inside the private network is not filtered by Hetzner firewalls;
# from outside only ICMP reaches the nodes (the API and Gitea are served by
# the load balancer over the private network), and with a link the
# WireGuard port, from the other gateway's address only. Before that
# address exists (the plan shown for approval) there is no such rule: the
# full apply after the Primary IPs adds it with the firewall itself.
resource "hcloud_firewall" "nodes" {
  name   = local.cluster
  labels = local.labels
  rule {
    direction  = "in"
    protocol   = "icmp"
    source_ips = ["0.0.0.0/0", "::/0"]
  }
  dynamic "rule" {
    for_each = var.link == null ? [] : var.link.peer_address == "" ? [] : [var.link]
    content {
      direction  = "in"
      protocol   = "udp"
      port       = tostring(rule.value.port)
      source_ips = ["${rule.value.peer_address}/32"]
    }
  }
  apply_to {
    label_selector = "openova.io/cluster=${local.cluster}"
  }
}

# A spread group puts each server on another host, but holds at most 10
# servers (Hetzner's limit): the control planes (at most 3, the etcd quorum)
# have one of their own, the workers one per 10.
resource "hcloud_placement_group" "nodes" {
  name   = local.cluster
  type   = "spread"
  labels = local.labels
}

resource "hcloud_placement_group" "workers" {
  count  = ceil(var.worker_count / 10)
  name   = "${local.cluster}-workers-${count.index}"
  type   = "spread"
  labels = local.labels
}

resource "hcloud_load_balancer" "api" {
  name               = "${local.cluster}-api"
  load_balancer_type = "lb11"
  location           = var.region
  labels             = local.labels
}

resource "hcloud_load_balancer_network" "api" {
  load_balancer_id = hcloud_load_balancer.api.id
  subnet_id        = hcloud_network_subnet.nodes.id
  ip               = cidrhost(local.subnet, 2)
}

resource "hcloud_load_balancer_service" "api" {
  load_balancer_id = hcloud_load_balancer.api.id
  protocol         = "tcp"
  listen_port      = var.api_port
  destination_port = 6443
  health_check {
    protocol = "tcp"
    port     = 6443
    interval = 10
    timeout  = 5
    retries  = 3
  }
}

# Gitea, TLS passthrough: TCP to its NodePort on the control planes (the
# target below), where the cluster's own certificate is served.
# The manager, the same way as Gitea: TCP 443 passed through to its
# NodePort, where it serves HTTPS itself.
resource "hcloud_load_balancer_service" "manager" {
  load_balancer_id = hcloud_load_balancer.api.id
  protocol         = "tcp"
  listen_port      = local.manager.port
  destination_port = local.manager.node_port
  health_check {
    protocol = "tcp"
    port     = local.manager.node_port
    interval = 10
    timeout  = 5
    retries  = 3
  }
}

resource "hcloud_load_balancer_service" "gitea" {
  load_balancer_id = hcloud_load_balancer.api.id
  protocol         = "tcp"
  listen_port      = local.gitea.port
  destination_port = local.gitea.node_port
  health_check {
    protocol = "tcp"
    port     = local.gitea.node_port
    interval = 10
    timeout  = 5
    retries  = 3
  }
}

resource "hcloud_load_balancer_target" "api" {
  type             = "label_selector"
  load_balancer_id = hcloud_load_balancer.api.id
  label_selector   = "openova.io/cluster=${local.cluster},openova.io/node-role=control-plane"
  use_private_ip   = true
  depends_on       = [hcloud_load_balancer_network.api]
}
