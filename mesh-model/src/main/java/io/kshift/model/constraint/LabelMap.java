package io.kshift.model.constraint;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Labels or a label selector with Kubernetes' syntax: a key is an optional DNS-subdomain prefix and {@code /},
 * then a name of at most 63 letters, digits, {@code -}, {@code _} and {@code .}, beginning and ending with a
 * letter or digit; a value is empty or a name. Labels travel to proxies, telemetry and the live page: markup or
 * control characters have no business in them. Null passes.
 */
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = LabelMap.Check.class)
public @interface LabelMap {
    String message() default "is not a valid label map";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    final class Check implements ConstraintValidator<LabelMap, Map<String, String>> {
        private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
        private static final Pattern PREFIX = Pattern.compile(
                "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

        @Override
        public boolean isValid(Map<String, String> labels, ConstraintValidatorContext context) {
            if (labels == null) {
                return true;
            }
            for (Map.Entry<String, String> e : new java.util.TreeMap<>(labels).entrySet()) {
                Optional<String> problem = problem(e.getKey(), e.getValue());
                if (problem.isPresent()) {
                    context.disableDefaultConstraintViolation();
                    context.buildConstraintViolationWithTemplate(MessageText.escape(problem.get()))
                            .addConstraintViolation();
                    return false;
                }
            }
            return true;
        }

        public static Optional<String> problem(String key, String value) {
            String name = key;
            int slash = key.indexOf('/');
            if (slash >= 0) {
                String prefix = key.substring(0, slash);
                name = key.substring(slash + 1);
                if (prefix.isEmpty() || prefix.length() > 253 || !PREFIX.matcher(prefix).matches()) {
                    return Optional.of("label key '" + MessageText.printable(key) + "': the prefix must be a DNS subdomain");
                }
            }
            if (!NAME.matcher(name).matches()) {
                return Optional.of("label key '" + MessageText.printable(key) + "' is not a valid label name (at most 63"
                        + " letters, digits, '-', '_' or '.', beginning and ending with a letter or digit)");
            }
            if (value != null && !value.isEmpty() && !NAME.matcher(value).matches()) {
                return Optional.of("label '" + MessageText.printable(key) + "': value '" + MessageText.printable(value) + "' is not a valid"
                        + " label value (empty, or at most 63 letters, digits, '-', '_' or '.', beginning and ending"
                        + " with a letter or digit)");
            }
            return Optional.empty();
        }
    }
}
