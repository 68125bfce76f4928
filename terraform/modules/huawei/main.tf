# One k3s cluster in one Huawei Cloud region: a VPC and subnet, a security
# group, elastic cloud servers whose cloud-init installs k3s with the CAs
# and token the Bootstrap workflow generated (the same cloud-init as the
# other providers), each with an elastic IP, and a load balancer with its own
# elastic IP in front of the Kubernetes API and Gitea.

data "huaweicloud_availability_zones" "all" {}

data "huaweicloud_images_image" "ubuntu" {
  name        = "Ubuntu 24.04 server 64bit"
  visibility  = "public"
  most_recent = true
}

locals {
  load_balancer_ip = huaweicloud_vpc_eip.api.address
  zones            = data.huaweicloud_availability_zones.all.names
  tags             = { for k, v in local.labels : replace(k, "/", "-") => v }
  nodes = concat(
    [for i, s in huaweicloud_compute_instance.control_plane : { name = s.name, role = "control-plane", public_ipv4 = huaweicloud_vpc_eip.control_plane[i].address, private_ipv4 = s.access_ip_v4 }],
    [for i, s in huaweicloud_compute_instance.worker : { name = s.name, role = "worker", public_ipv4 = huaweicloud_vpc_eip.worker[i].address, private_ipv4 = s.access_ip_v4 }],
  )
  # No fixed gateway address here yet (cp-0's elastic IP could be one): the
  # link's gateway is built on Hetzner only.
  gateway_ipv4 = ""
}

resource "huaweicloud_vpc" "nodes" {
  name = local.cluster
  cidr = var.node_cidr
  tags = local.tags
}

resource "huaweicloud_vpc_subnet" "nodes" {
  name       = local.cluster
  vpc_id     = huaweicloud_vpc.nodes.id
  cidr       = local.subnet
  gateway_ip = cidrhost(local.subnet, 1)
  tags       = local.tags
}

resource "huaweicloud_networking_secgroup" "nodes" {
  name                 = local.cluster
  delete_default_rules = false
}

resource "huaweicloud_networking_secgroup_rule" "inside" {
  security_group_id = huaweicloud_networking_secgroup.nodes.id
  direction         = "ingress"
  ethertype         = "IPv4"
  remote_ip_prefix  = var.node_cidr
}

resource "huaweicloud_networking_secgroup_rule" "api" {
  security_group_id = huaweicloud_networking_secgroup.nodes.id
  direction         = "ingress"
  ethertype         = "IPv4"
  protocol          = "tcp"
  port_range_min    = 6443
  port_range_max    = 6443
  remote_ip_prefix  = "0.0.0.0/0"
}

resource "huaweicloud_networking_secgroup_rule" "gitea" {
  security_group_id = huaweicloud_networking_secgroup.nodes.id
  direction         = "ingress"
  ethertype         = "IPv4"
  protocol          = "tcp"
  port_range_min    = local.gitea.node_port
  port_range_max    = local.gitea.node_port
  remote_ip_prefix  = "0.0.0.0/0"
}

# With a link, the WireGuard port from the other gateway's address only.
resource "huaweicloud_networking_secgroup_rule" "wireguard" {
  count             = var.link == null ? 0 : var.link.peer_address == "" ? 0 : 1
  security_group_id = huaweicloud_networking_secgroup.nodes.id
  direction         = "ingress"
  ethertype         = "IPv4"
  protocol          = "udp"
  port_range_min    = var.link.port
  port_range_max    = var.link.port
  remote_ip_prefix  = "${var.link.peer_address}/32"
}

resource "huaweicloud_lb_loadbalancer" "api" {
  name          = "${local.cluster}-api"
  vip_subnet_id = huaweicloud_vpc_subnet.nodes.ipv4_subnet_id
  vip_address   = cidrhost(local.subnet, 2)
  tags          = local.tags
}

resource "huaweicloud_vpc_eip" "api" {
  name = "${local.cluster}-api"
  publicip {
    type = "5_bgp"
  }
  bandwidth {
    name        = "${local.cluster}-api"
    size        = var.huaweicloud_eip_bandwidth_mbit
    share_type  = "PER"
    charge_mode = "traffic"
  }
  tags = local.tags
}

resource "huaweicloud_networking_eip_associate" "api" {
  public_ip = huaweicloud_vpc_eip.api.address
  port_id   = huaweicloud_lb_loadbalancer.api.vip_port_id
}

resource "huaweicloud_lb_listener" "api" {
  name            = "api"
  loadbalancer_id = huaweicloud_lb_loadbalancer.api.id
  protocol        = "TCP"
  protocol_port   = var.api_port
}

resource "huaweicloud_lb_pool" "api" {
  name        = "api"
  listener_id = huaweicloud_lb_listener.api.id
  protocol    = "TCP"
  lb_method   = "ROUND_ROBIN"
}

resource "huaweicloud_lb_monitor" "api" {
  pool_id     = huaweicloud_lb_pool.api.id
  type        = "TCP"
  delay       = 10
  timeout     = 5
  max_retries = 3
}

resource "huaweicloud_lb_member" "api" {
  count         = var.control_plane_count
  pool_id       = huaweicloud_lb_pool.api.id
  subnet_id     = huaweicloud_vpc_subnet.nodes.ipv4_subnet_id
  address       = local.control_plane_ips[count.index]
  protocol_port = 6443
}

# Gitea, TLS passthrough: TCP to its NodePort on the control planes.
resource "huaweicloud_lb_listener" "gitea" {
  name            = "gitea"
  loadbalancer_id = huaweicloud_lb_loadbalancer.api.id
  protocol        = "TCP"
  protocol_port   = local.gitea.port
}

resource "huaweicloud_lb_pool" "gitea" {
  name        = "gitea"
  listener_id = huaweicloud_lb_listener.gitea.id
  protocol    = "TCP"
  lb_method   = "ROUND_ROBIN"
}

resource "huaweicloud_lb_monitor" "gitea" {
  pool_id     = huaweicloud_lb_pool.gitea.id
  type        = "TCP"
  delay       = 10
  timeout     = 5
  max_retries = 3
}

resource "huaweicloud_lb_member" "gitea" {
  count         = var.control_plane_count
  pool_id       = huaweicloud_lb_pool.gitea.id
  subnet_id     = huaweicloud_vpc_subnet.nodes.ipv4_subnet_id
  address       = local.control_plane_ips[count.index]
  protocol_port = local.gitea.node_port
}
