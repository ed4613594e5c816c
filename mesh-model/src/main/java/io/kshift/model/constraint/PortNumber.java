package io.kshift.model.constraint;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;
import jakarta.validation.ReportAsSingleViolation;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** A TCP port, 1 to 65535. Null passes (combine with {@code @NotNull} where the port is required). */
@Min(1)
@Max(65535)
@ReportAsSingleViolation
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD,
        ElementType.TYPE_USE})
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = {})
public @interface PortNumber {
    String message() default "must be a port number between 1 and 65535";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
