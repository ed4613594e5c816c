package io.kshift.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Query parameters as Envoy's route matching reads them: raw, the first of a name, names exact. */
class RequestValuesTest {

    @Test
    void theFirstValueOfTheExactNameRawAndUndecoded() {
        assertThat(RequestValues.query("/p?DEBUG=0&debug=1", "debug")).isEqualTo("1");
        assertThat(RequestValues.query("/p?Debug=1", "debug")).as("names are case-sensitive").isNull();
        assertThat(RequestValues.query("/p?q=a%20b+c", "q")).as("not decoded").isEqualTo("a%20b+c");
        assertThat(RequestValues.query("/p?a=1&a=2", "a")).isEqualTo("1");
        assertThat(RequestValues.query("/p?a=1;b=2", "b")).as("split on & only").isNull();
        assertThat(RequestValues.query("/p?a=1;b=2", "a")).isEqualTo("1;b=2");
        assertThat(RequestValues.query("/p?flag&x=1", "flag")).as("no '='").isEqualTo("");
        assertThat(RequestValues.query("/p?x=a=b", "x")).isEqualTo("a=b");
        assertThat(RequestValues.query("/p?ab=1", "a")).isNull();
        assertThat(RequestValues.query("/p?a", "ab")).isNull();
        assertThat(RequestValues.query("/p", "a")).isNull();
        assertThat(RequestValues.query("/p?", "a")).isNull();
        assertThat(RequestValues.query("/p?&&a=&", "a")).isEqualTo("");
        assertThat(RequestValues.query("/p?x=1#a=2", "a")).isNull();
        assertThat(RequestValues.query("/p?a=b=c", "a=b")).as("a key ends at its first '='").isNull();
    }
}
