# What every module computes the same way: names, labels, the fixed node
# addresses and the cloud-init of each node. A module defines only its
# provider's resources, local.load_balancer_ip (the API address the
# control-plane certificate must name) and local.gateway_ipv4 (the public
# address of the link's gateway, "" without a link).

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
  # Gitea is served through the load balancer by TLS passthrough: the
  # balancer forwards TCP on port to Gitea's NodePort on the nodes (no
  # cloud controller runs in the cluster); the Gitea chart's Service uses
  # node_port.
  gitea = { port = var.gitea_port, node_port = 30300 }
  # The manager is served the same way (on 443 unless a test says
  # otherwise): it serves HTTPS itself on NodePort 30443
  # (deploy/overlays/bootstrap).
  manager = { port = var.manager_port, node_port = 30443 }
  # Every node pulls the manager's image from the region's Gitea registry
  # (through the load balancer, at the address the bootstrap pushes to):
  # containerd trusts the cluster's server CA for it, which signed Gitea's
  # certificate. The read-only credentials are the Deployment's
  # imagePullSecret, made once Gitea exists: the nodes boot before it.
  registry_host = "${local.load_balancer_ip}:${var.gitea_port}"
  registries = yamlencode({
    configs = { (local.registry_host) = { tls = { ca_file = "/etc/rancher/k3s/registry-ca.crt" } } }
  })
  # The link's gateway is cp-0: its wg0.conf, only with a link (a conf
  # without one is ignored). It is sensitive, so it decides only what
  # cp-0's cloud-init holds, never what exists.
  gateway_wg_conf = var.link == null ? "" : var.link_wg_conf
  # k3s's configuration (/etc/rancher/k3s/config.yaml) of each node: the
  # first server starts the embedded etcd, the others join it. Servers also
  # accept the agent token, which workers join with: it admits agents only,
  # so a worker's user data (served to anything on the node by the cloud's
  # metadata service) cannot join a server, which would hold etcd and the CAs.
  k3s_server = {
    token          = var.join_token
    "agent-token"  = var.agent_token
    "cluster-cidr" = var.pod_cidr
    "service-cidr" = var.service_cidr
    "tls-san"      = [local.load_balancer_ip, local.api_host]
    disable        = ["servicelb"]
    # With Cilium as the CNI, k3s runs neither flannel nor its network
    # policy controller (flannel options must match on every server).
    "flannel-backend"        = var.cilium == null ? "vxlan" : "none"
    "disable-network-policy" = var.cilium != null
  }
  # Cilium, installed by k3s's Helm controller from the servers' manifests
  # folder at first boot: bootstrap runs it on the host network before any
  # CNI exists. Pod addresses come from the nodes' pod CIDRs, which k3s
  # allocates from var.pod_cidr (Cilium's own default pool, 10.0.0.0/8,
  # overlaps the node network). Traffic between the region's nodes is
  # encrypted with WireGuard: Hetzner's private networks are not.
  cilium_manifest = var.cilium == null ? null : yamlencode({
    apiVersion = "helm.cattle.io/v1"
    kind       = "HelmChart"
    metadata   = { name = "cilium", namespace = "kube-system" }
    spec = {
      bootstrap       = true
      repo            = var.cilium.chart_repository
      chart           = "cilium"
      version         = var.cilium.chart_version
      targetNamespace = "kube-system"
      valuesContent = yamlencode({
        cluster    = { name = local.cluster, id = var.cilium.cluster_id }
        ipam       = { mode = "kubernetes" }
        k8s        = { requireIPv4PodCIDR = true }
        encryption = { enabled = true, type = "wireguard" }
        operator   = { replicas = var.control_plane_count + var.worker_count > 1 ? 2 : 1 }
      })
    }
  })
  # What every node's cloud-init runs: install-k3s.sh (the pinned release,
  # checked against its published SHA-256) and the systemd unit of its role.
  k3s_install = {
    install_script = file("${path.module}/install-k3s.sh")
    k3s_version    = var.k3s_version
    release_url    = trimsuffix(var.k3s_release_url, "/")
  }
  control_plane_user_data = [for i, ip in local.control_plane_ips : templatefile("${path.module}/k3s-cloud-init.yaml.tftpl", merge(local.k3s_install, {
    role         = "server"
    unit         = "k3s.service"
    unit_file    = templatefile("${path.module}/k3s.service.tftpl", { role = "server" })
    node_ip      = ip
    ca           = var.cluster_ca
    registry_ca  = var.cluster_ca.server_ca_cert
    registries   = local.registries
    cni_manifest = local.cilium_manifest
    wg_conf      = i == 0 ? local.gateway_wg_conf : ""
    config = yamlencode(merge(local.k3s_server, { "node-ip" = ip },
    i == 0 ? tomap({ "cluster-init" = "true" }) : tomap({ server = local.server_url })))
  }))]
  worker_user_data = [for ip in local.worker_ips : templatefile("${path.module}/k3s-cloud-init.yaml.tftpl", merge(local.k3s_install, {
    role         = "agent"
    unit         = "k3s-agent.service"
    unit_file    = templatefile("${path.module}/k3s.service.tftpl", { role = "agent" })
    node_ip      = ip
    ca           = null
    registry_ca  = var.cluster_ca.server_ca_cert
    registries   = local.registries
    cni_manifest = null
    wg_conf      = ""
    config       = yamlencode({ token = var.agent_token, "node-ip" = ip, server = local.server_url })
  }))]
}
