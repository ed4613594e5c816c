package io.kshift.model.constraint;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A regular expression RE2 compiles, within {@link io.kshift.model.regex.Re2#MAX_LENGTH} characters: Istio's
 * syntax and semantics, and the engine the proxies match with (linear time; no backreferences or lookaround).
 * Null passes.
 */
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = RegexValue.Check.class)
public @interface RegexValue {
    String message() default "is not a valid regular expression";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    final class Check implements ConstraintValidator<RegexValue, String> {
        @Override
        public boolean isValid(String regex, ConstraintValidatorContext context) {
            if (regex == null) {
                return true;
            }
            var problem = io.kshift.model.regex.Re2.problem(regex);
            if (problem.isEmpty()) {
                return true;
            }
            context.disableDefaultConstraintViolation();
            context.buildConstraintViolationWithTemplate(MessageText.escape(problem.get())).addConstraintViolation();
            return false;
        }
    }
}
