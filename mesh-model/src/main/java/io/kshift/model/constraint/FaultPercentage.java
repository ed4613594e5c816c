package io.kshift.model.constraint;

import io.kshift.model.istio.Percent;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A fault percentage: 0, or 0.0001 to 100. Envoy counts fault fractions in millionths, so a smaller non-zero value
 * would silently become 0 (Istio rejects it for the same reason). The 0–100 range itself is {@link Percent}'s.
 */
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = FaultPercentage.Check.class)
public @interface FaultPercentage {
    String message() default "must be 0 or between 0.0001 and 100";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    final class Check implements ConstraintValidator<FaultPercentage, Percent> {
        @Override
        public boolean isValid(Percent percent, ConstraintValidatorContext context) {
            return percent == null || percent.value() == null || percent.value() <= 0 || percent.value() >= 0.0001;
        }
    }
}
