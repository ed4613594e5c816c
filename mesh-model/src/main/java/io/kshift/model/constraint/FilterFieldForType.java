package io.kshift.model.constraint;

import io.kshift.model.gateway.HttpRouteFilter;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** A Gateway API filter carries the field its {@code type} names ({@code type: RequestMirror} → {@code requestMirror}). */
@Target({ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = FilterFieldForType.Check.class)
public @interface FilterFieldForType {
    String message() default "is required for a filter of this type";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    final class Check implements ConstraintValidator<FilterFieldForType, HttpRouteFilter> {
        @Override
        public boolean isValid(HttpRouteFilter f, ConstraintValidatorContext context) {
            if (f == null || f.type() == null) {
                return true;
            }
            Object carried = switch (f.type()) {
                case RequestHeaderModifier -> f.requestHeaderModifier();
                case ResponseHeaderModifier -> f.responseHeaderModifier();
                case RequestMirror -> f.requestMirror();
                case RequestRedirect -> f.requestRedirect();
                case URLRewrite -> f.urlRewrite();
                case CORS -> f.cors();
            };
            if (carried != null) {
                return true;
            }
            String field = f.type() == HttpRouteFilter.Type.URLRewrite ? "urlRewrite"
                    : f.type() == HttpRouteFilter.Type.CORS ? "cors" : Character.toLowerCase(f.type().name().charAt(0)) + f.type().name().substring(1);
            context.disableDefaultConstraintViolation();
            context.buildConstraintViolationWithTemplate("is required for a filter of type " + f.type())
                    .addPropertyNode(field).addConstraintViolation();
            return false;
        }
    }
}
