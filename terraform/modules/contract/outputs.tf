# The output contract every provider module shares; a module defines
# local.load_balancer_ip, local.gateway_ipv4 and local.nodes (a list of
# { name, role, public_ipv4, private_ipv4 }).

output "api_endpoint" {
  description = "The Kubernetes API URL, through the load balancer."
  value       = "https://${local.load_balancer_ip}:${var.api_port}"
}

output "api_host" {
  description = "The DNS name the API certificate also carries (api.<region>.<domain>)."
  value       = local.api_host
}

output "load_balancer_ipv4" {
  description = "The public IPv4 address of the API load balancer."
  value       = local.load_balancer_ip
}

output "nodes" {
  description = "Every node: name, role (control-plane or worker), public IPv4 and private address."
  value       = local.nodes
}

output "gateway_ipv4" {
  description = "The public IPv4 address of the link's gateway (cp-0), fixed before it boots: what the other region's wg0.conf names as its peer. \"\" without a link."
  value       = local.gateway_ipv4
}

output "manager_endpoint" {
  description = "Where the region's Lifecycle Manager answers, through the load balancer (TLS passthrough to its NodePort): <address>:<manager_port>."
  value       = "${local.load_balancer_ip}:${local.manager.port}"
}

output "gitea_endpoint" {
  description = "Where the region's Gitea answers, through the load balancer (TLS passthrough to its NodePort): <address>:<port>."
  value       = "${local.load_balancer_ip}:${local.gitea.port}"
}

output "join" {
  description = "What a node added later needs to join the cluster as its first nodes did (the CAs, the k3s server and agent tokens, the gateway's wg0.conf, the k3s release and the CNI they run): a bootstrap started again reads it back to plan a change to the platform, so a newer openova neither gives a new node other secrets nor a k3s or Cilium the cluster does not run. Sensitive; openova's state is always encrypted (OpenTofu state encryption), so the bucket's keys alone do not reveal it."
  sensitive   = true
  value = {
    cluster_ca      = var.cluster_ca
    join_token      = var.join_token
    agent_token     = var.agent_token
    link_wg_conf    = var.link_wg_conf
    k3s_version     = var.k3s_version
    k3s_release_url = var.k3s_release_url
    cilium          = var.cilium
  }
}
