package io.kshift.model.constraint;

import io.kshift.model.mesh.IstioDuration;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;

/**
 * Istio's rule for durations ({@code 10s}, {@code 250ms}): parseable, at least 1 ms, in whole milliseconds (Envoy
 * keeps milliseconds; a finer duration would be silently rounded). Null means "not set" and passes.
 */
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = IstioDurationValue.Check.class)
public @interface IstioDurationValue {
    String message() default "must be a duration of at least 1ms in whole milliseconds (e.g. 10s, 250ms)";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    /** Whether {@code 0s} is allowed too (the Gateway API's timeouts: zero turns the timeout off). */
    boolean zeroAllowed() default false;

    final class Check implements ConstraintValidator<IstioDurationValue, String> {
        private boolean zeroAllowed;

        @Override
        public void initialize(IstioDurationValue annotation) {
            zeroAllowed = annotation.zeroAllowed();
        }

        @Override
        public boolean isValid(String text, ConstraintValidatorContext context) {
            if (text == null) {
                return true;
            }
            var parsed = IstioDuration.parse(text);
            if (parsed.isEmpty()) {
                context.disableDefaultConstraintViolation();
                context.buildConstraintViolationWithTemplate("'" + MessageText.escape(text) + "' is not a duration (e.g. 10s, 250ms)")
                        .addConstraintViolation();
                return false;
            }
            if (zeroAllowed && parsed.get().isZero()) {
                return true;
            }
            return parsed.get().compareTo(Duration.ofMillis(1)) >= 0 && parsed.get().toNanos() % 1_000_000 == 0;
        }
    }
}
