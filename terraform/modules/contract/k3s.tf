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
  server_url        = "https://${local.control_plane_ips[0]}:6443"
  # k3s's configuration (/etc/rancher/k3s/config.yaml) of each node: the
  # first server starts the embedded etcd, the others join it.
  k3s_server = {
    token          = var.join_token
    "cluster-cidr" = var.pod_cidr
    "service-cidr" = var.service_cidr
    "tls-san"      = [local.load_balancer_ip, local.api_host]
    disable        = ["servicelb"]
  }
  control_plane_user_data = [for i, ip in local.control_plane_ips : templatefile("${path.module}/k3s-cloud-init.yaml.tftpl", {
    role        = "server"
    node_ip     = ip
    k3s_version = var.k3s_version
    ca          = var.cluster_ca
    config = yamlencode(merge(local.k3s_server, { "node-ip" = ip },
    i == 0 ? tomap({ "cluster-init" = "true" }) : tomap({ server = local.server_url })))
  })]
  worker_user_data = [for ip in local.worker_ips : templatefile("${path.module}/k3s-cloud-init.yaml.tftpl", {
    role        = "agent"
    node_ip     = ip
    k3s_version = var.k3s_version
    ca          = null
    config      = yamlencode({ token = var.join_token, "node-ip" = ip, server = local.server_url })
  })]
}
