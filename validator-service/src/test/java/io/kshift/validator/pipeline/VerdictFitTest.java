package io.kshift.validator.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.event.ChangeResult;
import io.kshift.model.event.ChangeStatus;
import io.kshift.model.event.ResourceAction;
import io.kshift.model.event.Schemas;
import io.kshift.model.event.ValidationMessage;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A verdict the bus cannot carry loses what it can spare, says so, and keeps what was decided. */
class VerdictFitTest {
    private static final int LIMIT = 64 * 1024;

    private static ChangeResult verdict(ChangeStatus status, int resources, String diff, int errors) {
        return new ChangeResult(Schemas.CHANGE_RESULT, "c-1", status, 7, diff != null,
                IntStream.range(0, resources).mapToObj(i -> new ResourceAction("VirtualService", "default", "vs-" + i,
                        ResourceAction.Action.CONFIGURED, diff)).toList(),
                IntStream.range(0, errors).mapToObj(i -> new ValidationMessage("VirtualService default/vs-" + i,
                        "spec.http[0].route[0].destination.host", "names no service " + "x".repeat(40))).toList(),
                List.of(new ValidationMessage("change", "", "a warning")), Instant.EPOCH, 12, "alice");
    }

    @Test
    void aVerdictThatFitsIsLeftAsItIs() {
        ChangeResult small = verdict(ChangeStatus.ACCEPTED, 10, "-a\n+b\n", 0);
        assertThat(VerdictFit.fit(small, LIMIT).result()).isSameAs(small);
    }

    @Test
    void aDryRunLosesItsDiffsFirstAndSaysSo() {
        ChangeResult big = verdict(ChangeStatus.ACCEPTED, 20, "-" + "y".repeat(8_000) + "\n", 0);
        VerdictFit.Fitted made = VerdictFit.fit(big, LIMIT);
        ChangeResult fitted = made.result();
        assertThat(made.bytes()).isEqualTo(VerdictFit.encode(fitted));
        assertThat(VerdictFit.encode(fitted).length).isLessThanOrEqualTo(LIMIT);
        assertThat(fitted.resources()).hasSize(20).allSatisfy(a -> assertThat(a.diff()).isNull());
        assertThat(fitted.warnings()).extracting(ValidationMessage::message)
                .anySatisfy(m -> assertThat(m).contains("dry-run diffs are left out").contains(String.valueOf(LIMIT)));
        assertThat(fitted).extracting(ChangeResult::status, ChangeResult::generation, ChangeResult::dryRun,
                ChangeResult::submittedBy).containsExactly(ChangeStatus.ACCEPTED, 7L, true, "alice");
    }

    @Test
    void longListsKeepTheirHeadsAndSayHowMuchIsListed() {
        ChangeResult big = verdict(ChangeStatus.ACCEPTED, 5_000, null, 0);
        VerdictFit.Fitted made = VerdictFit.fit(big, LIMIT);
        ChangeResult fitted = made.result();
        assertThat(made.bytes()).isEqualTo(VerdictFit.encode(fitted));
        assertThat(VerdictFit.encode(fitted).length).isLessThanOrEqualTo(LIMIT);
        assertThat(fitted.resources()).isNotEmpty().hasSizeLessThan(5_000);
        assertThat(fitted.resources()).isEqualTo(big.resources().subList(0, fitted.resources().size()));
        assertThat(fitted.warnings()).extracting(ValidationMessage::message).contains("a warning")
                .anySatisfy(m -> assertThat(m).contains("only the first " + fitted.resources().size()
                        + " of the 5000 resources"));
    }

    @Test
    void aRejectionKeepsAnErrorAndSaysMoreWereLeftOut() {
        ChangeResult big = verdict(ChangeStatus.REJECTED, 0, null, 3_000);
        VerdictFit.Fitted made = VerdictFit.fit(big, LIMIT);
        ChangeResult fitted = made.result();
        assertThat(made.bytes()).isEqualTo(VerdictFit.encode(fitted));
        assertThat(VerdictFit.encode(fitted).length).isLessThanOrEqualTo(LIMIT);
        assertThat(fitted.status()).isEqualTo(ChangeStatus.REJECTED);
        assertThat(fitted.errors()).hasSizeGreaterThan(1).first().isEqualTo(big.errors().get(0));
        assertThat(fitted.errors()).last().extracting(ValidationMessage::message).asString()
                .contains("more errors, left out");
    }
}
