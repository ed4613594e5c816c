package io.kshift.validator.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.validation.Validation;
import java.time.Duration;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.junit.jupiter.api.Test;

class ValidatorWarmUpTest {
    final jakarta.validation.Validator validator = Validation.byDefaultProvider().configure()
            .messageInterpolator(new ParameterMessageInterpolator()).buildValidatorFactory().getValidator();

    @Test
    void aRoundLoadsTheSyntheticMeshAndChangesItTwentyTimesAllAccepted() {
        // Every decision of the round must be an accepted one, or the warm-up would compile the rejection path.
        assertThat(new ValidatorWarmUp(validator, 1, Duration.ofMinutes(1)).run()).isEqualTo(21);
        assertThat(new ValidatorWarmUp(validator, 0, Duration.ofMinutes(1)).run()).isZero();
    }
}
