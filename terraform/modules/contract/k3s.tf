# What every module computes the same way: names, labels, the fixed node
# addresses and the cloud-init of each node. A module defines only its
# provider's resources and local.load_balancer_ip (the API address the
# control-plane certificate must name).

locals {
  cluster = "${var.organization}-${var.region}"
  labels = {
    "openova.io/organization" = var.organization
    "openova.io/cluster"      = local.cluster
    "openova.io/role"         = var.role
  }
  subnet = cidrsubnet(var.node_cidr, 8, 1)
  # Fixed private addresses: the first control-plane node is the one the
  # others join, known before any server exists.
  control_plane_ips = [for i in range(var.control_plane_count) : cidrhost(local.subnet, 10 + i)]
  worker_ips        = [for i in range(var.worker_count) : cidrhost(local.subnet, 100 + i)]
  api_host          = "api.${var.region}.${var.domain}"

  k3s_common = {
    k3s_version  = var.k3s_version
    token        = var.join_token
    pod_cidr     = var.pod_cidr
    service_cidr = var.service_cidr
    server_url   = "https://${local.control_plane_ips[0]}:6443"
  }
  control_plane_user_data = [for i, ip in local.control_plane_ips : templatefile("${path.module}/k3s-cloud-init.yaml.tftpl", merge(local.k3s_common, {
    role     = "server"
    first    = i == 0
    node_ip  = ip
    tls_sans = [local.load_balancer_ip, local.api_host]
    ca       = var.cluster_ca
  }))]
  worker_user_data = [for ip in local.worker_ips : templatefile("${path.module}/k3s-cloud-init.yaml.tftpl", merge(local.k3s_common, {
    role     = "agent"
    first    = false
    node_ip  = ip
    tls_sans = []
    ca       = null
  }))]
}
