package io.kshift.model.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GrantTest {
    @Test
    void rolesIncludeTheWeakerOnesAndDenialsSayWhatWasMissing() {
        Grant viewer = Grant.of("vic", List.of("staff", "viewer"), null);
        assertThat(viewer.denial(Role.VIEWER)).isEmpty();
        assertThat(viewer.denial(Role.EDITOR)).get().asString().contains("needs role editor", "'vic'", "role viewer");
        assertThat(Grant.of("root", List.of("viewer", "admin"), null).denial(Role.ADMIN)).isEmpty();
        assertThat(Grant.of("x", List.of("admins"), null).denial(Role.VIEWER)).get().asString()
                .contains("no kshift role");
    }

    @Test
    void namespacesLimitEditorsAndAPresentButUselessClaimLimitsToNothing() {
        Grant alice = Grant.fromClaims("alice", java.util.Set.of("editor"), List.of("\"team-a\""));
        assertThat(alice.denialToChange("team-a")).isEmpty();
        assertThat(alice.denialToChange("team-b")).get().asString().contains("[team-a], not team-b");
        assertThat(Grant.fromClaims("e", java.util.Set.of("editor"), null).denialToChange("any")).isEmpty();
        assertThat(Grant.fromClaims("e", java.util.Set.of("editor"), List.of()).denialToChange("any")).isPresent();
        assertThat(Grant.fromClaims("e", java.util.Set.of("editor"), Map.of("a", 1)).denialToChange("a")).isPresent();
        assertThat(Grant.fromClaims("root", java.util.Set.of("admin"), List.of()).denialToChange("any")).isEmpty();
    }

    @Test
    void aNamespaceObjectIsReadByTokensForThatNamespaceNotForDefault() {
        Grant bank = Grant.of("b", List.of("viewer"), List.of("bank"));
        Grant dflt = Grant.of("d", List.of("viewer"), List.of("default"));
        // Namespace objects are kept under namespace default (they are cluster-scoped).
        assertThat(bank.reads("Namespace", "default", "bank")).isTrue();
        assertThat(dflt.reads("Namespace", "default", "bank")).isFalse();
        assertThat(dflt.reads("Namespace", "default", "default")).isTrue();
        assertThat(dflt.reads("Service", "default", "bank")).isTrue();
        assertThat(Grant.of("a", List.of("admin"), List.of("x")).reads("Namespace", "default", "bank")).isTrue();
    }

    @Test
    void writesNeedTheirNamedRoleAndAnyOtherWriteNeedsAdmin() {
        Map<String, Role> writes = Map.of("/api/v1/apply", Role.EDITOR);
        assertThat(RequestRoles.needed("GET", "/api/v1/anything", writes)).isEqualTo(Role.VIEWER);
        assertThat(RequestRoles.needed("POST", "/api/v1/apply/", writes)).isEqualTo(Role.EDITOR);
        assertThat(RequestRoles.needed("POST", "api/v1/apply", writes)).isEqualTo(Role.EDITOR);
        assertThat(RequestRoles.needed("POST", "/api/v1/APPLY", writes)).isEqualTo(Role.ADMIN);
        assertThat(RequestRoles.needed("DELETE", "/api/v1/apply", writes)).isEqualTo(Role.EDITOR);
        assertThat(RequestRoles.needed("OPTIONS", "/api/v1/x", writes)).isEqualTo(Role.ADMIN);
        assertThat(RequestRoles.needed("PUT", "/api/v1/new-endpoint", writes)).isEqualTo(Role.ADMIN);
    }
}
