package io.kshift.registry;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the informers have listed the cluster and the live config has been read from the bus. */
@Readiness
@ApplicationScoped
public class RegistryReadiness implements HealthCheck {
    private final RegistryReconciler reconciler;

    RegistryReadiness(RegistryReconciler reconciler) {
        this.reconciler = reconciler;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("kshift-registry").status(reconciler.ready())
                .withData("liveGeneration", reconciler.liveGeneration()).build();
    }
}
