package io.kshift.model.constraint;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A regular expression that compiles. Istio (RE2) and kshift (java.util.regex) agree on the syntax users write
 * in routes: character classes, groups, alternation, anchors, repetition. Null passes.
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
            try {
                Pattern.compile(regex);
                return true;
            } catch (PatternSyntaxException e) {
                context.disableDefaultConstraintViolation();
                context.buildConstraintViolationWithTemplate("is not a valid regular expression: "
                        + MessageText.escape(e.getDescription() + " near index " + e.getIndex()))
                        .addConstraintViolation();
                return false;
            }
        }
    }
}
