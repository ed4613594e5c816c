package io.kshift.validator.pipeline;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the loop has rebuilt the live config; reports whether this instance is active or standing by. */
@Readiness
@ApplicationScoped
public class ValidatorReadiness implements HealthCheck {
    private final ChangeLoop loop;

    public ValidatorReadiness(ChangeLoop loop) {
        this.loop = loop;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("change-loop").up()
                .withData("active", loop.active())
                .withData("generation", loop.live().generation())
                .build();
    }
}
