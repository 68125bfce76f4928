# One k3s cluster in one OCI region: a VCN with an internet gateway and one
# public subnet, compute instances whose cloud-init installs k3s with the
# CAs and token the Bootstrap workflow generated (the same cloud-init as the
# other providers, so openova builds the kubeconfig the same way), and a
# network load balancer in front of the Kubernetes API and Gitea.

data "oci_identity_availability_domains" "all" {
  compartment_id = var.oci_compartment_id
}

data "oci_core_images" "ubuntu" {
  compartment_id           = var.oci_compartment_id
  operating_system         = "Canonical Ubuntu"
  operating_system_version = "24.04"
  shape                    = var.control_plane_size
  sort_by                  = "TIMECREATED"
  sort_order               = "DESC"
}

locals {
  load_balancer_ip = one([for a in oci_network_load_balancer_network_load_balancer.api.ip_addresses : a.ip_address if a.is_public])
  tags             = { for k, v in local.labels : replace(k, "/", "-") => v }
  ads              = data.oci_identity_availability_domains.all.availability_domains[*].name
  nodes = concat(
    [for s in oci_core_instance.control_plane : { name = s.display_name, role = "control-plane", public_ipv4 = s.public_ip, private_ipv4 = s.private_ip }],
    [for s in oci_core_instance.worker : { name = s.display_name, role = "worker", public_ipv4 = s.public_ip, private_ipv4 = s.private_ip }],
  )
  # No fixed gateway address here yet (a reserved public IP would be one):
  # the link's gateway is built on Hetzner only.
  gateway_ipv4 = ""
}

resource "oci_core_vcn" "nodes" {
  compartment_id = var.oci_compartment_id
  display_name   = local.cluster
  cidr_blocks    = [var.node_cidr]
  freeform_tags  = local.tags
}

resource "oci_core_internet_gateway" "nodes" {
  compartment_id = var.oci_compartment_id
  vcn_id         = oci_core_vcn.nodes.id
  display_name   = local.cluster
  freeform_tags  = local.tags
}

resource "oci_core_route_table" "nodes" {
  compartment_id = var.oci_compartment_id
  vcn_id         = oci_core_vcn.nodes.id
  display_name   = local.cluster
  route_rules {
    destination       = "0.0.0.0/0"
    network_entity_id = oci_core_internet_gateway.nodes.id
  }
}

# Inside the VCN everything; from outside only ICMP, the API and Gitea's
# NodePort (the network load balancer keeps the client's address) and, with
# a link, the WireGuard port from the other gateway's address only.
resource "oci_core_security_list" "nodes" {
  compartment_id = var.oci_compartment_id
  vcn_id         = oci_core_vcn.nodes.id
  display_name   = local.cluster
  egress_security_rules {
    destination = "0.0.0.0/0"
    protocol    = "all"
  }
  ingress_security_rules {
    source   = var.node_cidr
    protocol = "all"
  }
  ingress_security_rules {
    source   = "0.0.0.0/0"
    protocol = "1"
  }
  ingress_security_rules {
    source   = "0.0.0.0/0"
    protocol = "6"
    tcp_options {
      min = 6443
      max = 6443
    }
  }
  ingress_security_rules {
    source   = "0.0.0.0/0"
    protocol = "6"
    tcp_options {
      min = local.gitea.node_port
      max = local.gitea.node_port
    }
  }
  dynamic "ingress_security_rules" {
    for_each = var.link == null ? [] : var.link.peer_address == "" ? [] : [var.link]
    content {
      source   = "${ingress_security_rules.value.peer_address}/32"
      protocol = "17"
      udp_options {
        min = ingress_security_rules.value.port
        max = ingress_security_rules.value.port
      }
    }
  }
}

resource "oci_core_subnet" "nodes" {
  compartment_id    = var.oci_compartment_id
  vcn_id            = oci_core_vcn.nodes.id
  display_name      = local.cluster
  cidr_block        = local.subnet
  route_table_id    = oci_core_route_table.nodes.id
  security_list_ids = [oci_core_security_list.nodes.id]
  freeform_tags     = local.tags
}

resource "oci_network_load_balancer_network_load_balancer" "api" {
  compartment_id = var.oci_compartment_id
  display_name   = "${local.cluster}-api"
  subnet_id      = oci_core_subnet.nodes.id
  is_private     = false
  freeform_tags  = local.tags
}

resource "oci_network_load_balancer_backend_set" "api" {
  name                     = "api"
  network_load_balancer_id = oci_network_load_balancer_network_load_balancer.api.id
  policy                   = "FIVE_TUPLE"
  health_checker {
    protocol = "TCP"
    port     = 6443
  }
}

resource "oci_network_load_balancer_listener" "api" {
  name                     = "api"
  network_load_balancer_id = oci_network_load_balancer_network_load_balancer.api.id
  default_backend_set_name = oci_network_load_balancer_backend_set.api.name
  port                     = var.api_port
  protocol                 = "TCP"
}

resource "oci_network_load_balancer_backend" "api" {
  count                    = var.control_plane_count
  network_load_balancer_id = oci_network_load_balancer_network_load_balancer.api.id
  backend_set_name         = oci_network_load_balancer_backend_set.api.name
  target_id                = oci_core_instance.control_plane[count.index].id
  port                     = 6443
}

# Gitea, TLS passthrough: TCP to its NodePort on the control planes.
resource "oci_network_load_balancer_backend_set" "gitea" {
  name                     = "gitea"
  network_load_balancer_id = oci_network_load_balancer_network_load_balancer.api.id
  policy                   = "FIVE_TUPLE"
  health_checker {
    protocol = "TCP"
    port     = local.gitea.node_port
  }
}

resource "oci_network_load_balancer_listener" "gitea" {
  name                     = "gitea"
  network_load_balancer_id = oci_network_load_balancer_network_load_balancer.api.id
  default_backend_set_name = oci_network_load_balancer_backend_set.gitea.name
  port                     = local.gitea.port
  protocol                 = "TCP"
}

resource "oci_network_load_balancer_backend" "gitea" {
  count                    = var.control_plane_count
  network_load_balancer_id = oci_network_load_balancer_network_load_balancer.api.id
  backend_set_name         = oci_network_load_balancer_backend_set.gitea.name
  target_id                = oci_core_instance.control_plane[count.index].id
  port                     = local.gitea.node_port
}
