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
@Constraint(validatedBy = {FilterFieldForType.Check.class, FilterFieldForType.GrpcCheck.class})
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
            return missing(context, f.type().name(), field);
        }

        static boolean missing(ConstraintValidatorContext context, String type, String field) {
            context.disableDefaultConstraintViolation();
            context.buildConstraintViolationWithTemplate("is required for a filter of type " + type)
                    .addPropertyNode(field).addConstraintViolation();
            return false;
        }
    }

    /** The same for a GRPCRoute's filters: each is the HTTPRoute filter of its type, checked as one. */
    final class GrpcCheck implements ConstraintValidator<FilterFieldForType, io.kshift.model.gateway.GrpcRouteSpec.Filter> {
        private final Check http = new Check();

        @Override
        public boolean isValid(io.kshift.model.gateway.GrpcRouteSpec.Filter f, ConstraintValidatorContext context) {
            return f == null || f.type() == null || http.isValid(f.asHttp(), context);
        }
    }

}
