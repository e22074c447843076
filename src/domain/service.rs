//! Services: the servers an organisation rents, of the kinds the policy covers, and their state.

use super::names::named_enum;
pub use super::names::UnknownName;

named_enum!(
    /// The kinds of service the policy applies to (policy, scope paragraph).
    ServiceKind, "service kind" {
        /// Virtual private server.
        Vps = "vps", "VPS";
        /// Virtual dedicated server.
        Vds = "vds", "VDS";
        /// Cloud server.
        CloudServer = "cloud_server", "Cloud server";
        /// Dedicated cloud server.
        DedicatedCloudServer = "dedicated_cloud_server", "Dedicated cloud server";
        /// Cloud compute, standard performance.
        CloudComputeStandard = "cloud_compute_standard", "Cloud compute (standard performance)";
        /// Cloud compute, high performance.
        CloudComputeHighPerformance = "cloud_compute_high_performance", "Cloud compute (high performance)";
        /// Cloud compute, high frequency.
        CloudComputeHighFrequency = "cloud_compute_high_frequency", "Cloud compute (high frequency)";
        /// Optimised cloud compute, general purpose.
        OptimizedGeneralPurpose = "optimized_general_purpose", "Optimized cloud compute (general purpose)";
        /// Optimised cloud compute, CPU optimised.
        OptimizedCpu = "optimized_cpu", "Optimized cloud compute (CPU optimized)";
        /// Optimised cloud compute, memory optimised.
        OptimizedMemory = "optimized_memory", "Optimized cloud compute (memory optimized)";
        /// Optimised cloud compute, storage optimised.
        OptimizedStorage = "optimized_storage", "Optimized cloud compute (storage optimized)";
        /// Dedicated server or bare metal.
        DedicatedServer = "dedicated_server", "Dedicated server (bare metal)";
        /// GPU cloud instance.
        GpuCloudInstance = "gpu_cloud_instance", "GPU cloud instance";
        /// Dedicated GPU server.
        DedicatedGpuServer = "dedicated_gpu_server", "Dedicated GPU server";
        /// Multi-GPU AI training cluster.
        MultiGpuCluster = "multi_gpu_cluster", "Multi-GPU AI training cluster";
        /// High-compute HPC node.
        HpcNode = "hpc_node", "High-compute HPC node";
        /// AI-oriented bare-metal deployment.
        AiBareMetal = "ai_bare_metal", "AI-oriented bare metal";
    }
);

named_enum!(
    /// Whether a service runs freely, under restriction, suspended or terminated (policy §5).
    ServiceState, "service state" {
        /// Running with no enforcement in force.
        Active = "active", "Active";
        /// Running with network measures (port block, rate limit, null-route) in force.
        Restricted = "restricted", "Restricted";
        /// Stopped by the provider; may be reactivated.
        Suspended = "suspended", "Suspended";
        /// Permanently ended.
        Terminated = "terminated", "Terminated";
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_stored_spelling() {
        assert_eq!(ServiceKind::ALL.len(), 17);
        for kind in ServiceKind::ALL {
            assert_eq!(kind.as_str().parse::<ServiceKind>(), Ok(*kind));
            assert_eq!(
                serde_json::to_string(kind).unwrap(),
                format!("\"{}\"", kind.as_str())
            );
        }
    }

    #[test]
    fn every_state_round_trips() {
        for state in ServiceState::ALL {
            assert_eq!(state.as_str().parse::<ServiceState>(), Ok(*state));
        }
        let err = "paused".parse::<ServiceState>().unwrap_err();
        assert_eq!(err.to_string(), "unknown service state \"paused\"");
    }
}
