package io.isthmus.fastpath.control.aeron;

import io.isthmus.fastpath.control.DesiredKind;
import io.isthmus.policy.model.NamespaceInfo;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DesiredPayloadCodecTest {
    private final DesiredPayloadCodec codec = new DesiredPayloadCodec();

    @Test
    void everyKindsPayloadRoundTripsExactly() throws Exception {
        final Map<DesiredKind, Object> examples = DesiredPayloads.examples();
        assertEquals(DesiredKind.values().length, examples.size(), "an example for every kind");
        for (Map.Entry<DesiredKind, Object> example : examples.entrySet()) {
            final byte[] json = codec.encode(example.getKey(), example.getValue());
            final Object back = codec.decode(example.getKey(), json);
            assertEquals(example.getValue(), back, example.getKey() + " via " + new String(json, StandardCharsets.UTF_8));
            assertEquals(example.getKey().payloadType(), back.getClass());
        }
    }

    @Test
    void aWrongPayloadTypeOrBrokenJsonIsNamed() {
        final IllegalArgumentException wrongType = assertThrows(IllegalArgumentException.class,
                () -> codec.encode(DesiredKind.POLICY_POD, NamespaceInfo.of("a", Map.of())));
        assertTrue(wrongType.getMessage().startsWith("POLICY_POD: payload is io.isthmus.policy.model.NamespaceInfo"), wrongType.getMessage());
        final IllegalArgumentException broken = assertThrows(IllegalArgumentException.class,
                () -> codec.decode(DesiredKind.POLICY_NAMESPACE, "{\"name\":\"a\",\"labels\":{},\"extra\":1}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(broken.getMessage().startsWith("POLICY_NAMESPACE: cannot decode"), broken.getMessage());
        assertThrows(IllegalArgumentException.class, () -> codec.decode(DesiredKind.DNS_POD,
                "{\"namespace\":\"a\",\"name\":\"p\",\"ips\":[\"example.com\"],\"hostname\":\"\",\"subdomain\":\"\",\"ready\":true}"
                        .getBytes(StandardCharsets.UTF_8)), "names are not looked up");
    }
}
