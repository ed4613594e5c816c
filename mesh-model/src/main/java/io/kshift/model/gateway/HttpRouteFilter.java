package io.kshift.model.gateway;

import io.kshift.model.Lists;
import io.kshift.model.constraint.PortNumber;
import io.kshift.model.istio.HttpRewrite;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.List;

/** An HTTPRoute filter: its {@code type} names which one of the other fields it carries. */
@io.kshift.model.constraint.FilterFieldForType
public record HttpRouteFilter(@NotNull(message = "is required") Type type,
                              @Valid HeaderModifier requestHeaderModifier,
                              @Valid HeaderModifier responseHeaderModifier,
                              @Valid RequestMirror requestMirror,
                              @Valid RequestRedirect requestRedirect,
                              @Valid UrlRewrite urlRewrite,
                              @Valid Cors cors) {

    public enum Type { RequestHeaderModifier, ResponseHeaderModifier, RequestMirror, RequestRedirect, URLRewrite, CORS }

    /**
     * The CORS filter. Origins are {@code *} (any) or {@code scheme://host[:port]} where the host may start with
     * {@code *.}, matching one or more labels; {@code maxAge} in seconds (default 5).
     */
    public record Cors(List<@Pattern(
            regexp = "\\*|[a-zA-Z][a-zA-Z0-9+.-]*://(\\*\\.)?[a-zA-Z0-9.-]+(:[0-9]{1,5})?",
            message = "must be * or scheme://host[:port], the host optionally starting with *.") String> allowOrigins,
                       Boolean allowCredentials,
                       List<@io.kshift.model.istio.CorsPolicy.HeaderText String> allowMethods,
                       List<@io.kshift.model.istio.CorsPolicy.HeaderText String> allowHeaders,
                       List<@io.kshift.model.istio.CorsPolicy.HeaderText String> exposeHeaders,
                       @Min(value = 1, message = "must be at least 1 (seconds)") Integer maxAge) {
        public Cors {
            allowOrigins = Lists.copy(allowOrigins);
            allowMethods = Lists.copy(allowMethods);
            allowHeaders = Lists.copy(allowHeaders);
            exposeHeaders = Lists.copy(exposeHeaders);
        }
    }

    public record Header(@NotBlank(message = "is required") @io.kshift.model.constraint.HeaderFields(
                                 part = io.kshift.model.constraint.HeaderFields.Part.NAME) String name,
                         @NotNull(message = "is required") @io.kshift.model.constraint.HeaderFields String value) {
    }

    public record HeaderModifier(List<@Valid Header> set, List<@Valid Header> add,
                                 @io.kshift.model.constraint.HeaderFields List<String> remove) {
        public HeaderModifier {
            set = Lists.copy(set);
            add = Lists.copy(add);
            remove = Lists.copy(remove);
        }
    }

    /** A copy of each request (or {@code percent} of them) to another backend; its response is discarded. */
    public record RequestMirror(@NotNull(message = "is required") @Valid BackendRef backendRef,
                                @Min(value = 0, message = "must be between 0 and 100")
                                @Max(value = 100, message = "must be between 0 and 100") Integer percent,
                                @Valid Fraction fraction) {

        /** The share of requests mirrored, in percent: {@code percent}, or {@code fraction}; null: all. */
        public Double share() {
            if (percent != null) {
                return percent.doubleValue();
            }
            return fraction == null ? null : 100.0 * fraction.numerator() / fraction.effectiveDenominator();
        }
    }

    /** {@code numerator / denominator} (default 100) of requests. */
    public record Fraction(@NotNull(message = "is required") @Min(value = 0, message = "must be 0 or more")
                           Integer numerator,
                           @Min(value = 1, message = "must be 1 or more") Integer denominator) {
        int effectiveDenominator() {
            return denominator == null ? 100 : denominator;
        }
    }

    public enum PathModifierType { ReplaceFullPath, ReplacePrefixMatch }

    public record PathModifier(@NotNull(message = "is required") PathModifierType type,
                               @Pattern(regexp = HttpRewrite.PATH_TEXT, message = HttpRewrite.PATH_MESSAGE)
                               String replaceFullPath,
                               @Pattern(regexp = HttpRewrite.PATH_TEXT, message = HttpRewrite.PATH_MESSAGE)
                               String replacePrefixMatch) {
    }

    public record RequestRedirect(@Pattern(regexp = "https?", message = "must be http or https") String scheme,
                                  @Pattern(regexp = HttpRewrite.PATH_TEXT, message = HttpRewrite.HOST_MESSAGE)
                                  String hostname,
                                  @Valid PathModifier path, @PortNumber Integer port, Integer statusCode) {
    }

    public record UrlRewrite(@Pattern(regexp = HttpRewrite.PATH_TEXT, message = HttpRewrite.HOST_MESSAGE)
                             String hostname, @Valid PathModifier path) {
    }
}
