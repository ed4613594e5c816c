package io.kshift.model.constraint;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;

/**
 * A protobuf {@code oneof} on a record: at most one of the named components is set ({@code required}: exactly
 * one). Reported on the record itself, naming the fields.
 */
@Target({ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = OneOf.Check.class)
public @interface OneOf {
    String[] value();

    boolean required() default false;

    String message() default "";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    final class Check implements ConstraintValidator<OneOf, Record> {
        private List<String> fields;
        private boolean required;

        @Override
        public void initialize(OneOf annotation) {
            fields = List.of(annotation.value());
            required = annotation.required();
        }

        @Override
        public boolean isValid(Record value, ConstraintValidatorContext context) {
            if (value == null) {
                return true;
            }
            List<String> set = new ArrayList<>();
            for (RecordComponent c : value.getClass().getRecordComponents()) {
                if (fields.contains(c.getName()) && isSet(value, c)) {
                    set.add(c.getName());
                }
            }
            if (set.size() == 1 || (set.isEmpty() && !required)) {
                return true;
            }
            context.disableDefaultConstraintViolation();
            context.buildConstraintViolationWithTemplate(set.isEmpty()
                    ? "one of " + fields + " is required"
                    : "only one of " + fields + " may be set, not " + set).addConstraintViolation();
            return false;
        }

        private static boolean isSet(Record value, RecordComponent c) {
            try {
                Object v = c.getAccessor().invoke(value);
                return v != null && !(v instanceof Boolean b && !b);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
