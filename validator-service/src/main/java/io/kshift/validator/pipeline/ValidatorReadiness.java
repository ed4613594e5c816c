package io.kshift.validator.pipeline;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready while the change loop is alive and polling (a dead or stuck loop would leave every change PENDING, so the
 * validator must not look healthy then); reports whether this instance is active or standing by.
 */
@Readiness
@ApplicationScoped
public class ValidatorReadiness implements HealthCheck {
    private final ChangeLoop loop;

    public ValidatorReadiness(ChangeLoop loop) {
        this.loop = loop;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("change-loop").status(loop.polling(java.time.Duration.ofSeconds(30)))
                .withData("restarts", loop.restarts())
                .withData("active", loop.active())
                .withData("generation", loop.live().generation())
                .build();
    }
}
