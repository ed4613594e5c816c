package io.kshift.testkit;

import io.kshift.model.auth.Role;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;

/** RestAssured requests that carry a {@link TestIssuer} token, for tests of an API that needs one. */
public final class Api {
    private Api() {
    }

    public static RequestSpecification asAdmin() {
        return as(TestIssuer.admin());
    }

    public static RequestSpecification as(String subject, Role role, String... namespaces) {
        return as(TestIssuer.token(subject, role, namespaces));
    }

    public static RequestSpecification as(String token) {
        return RestAssured.given().header("Authorization", "Bearer " + token);
    }
}
