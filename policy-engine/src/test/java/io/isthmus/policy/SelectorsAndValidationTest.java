package io.isthmus.policy;

import io.isthmus.policy.model.Cidr;
import io.isthmus.policy.model.Direction;
import io.isthmus.policy.model.IpAddress;
import io.isthmus.policy.model.LabelSelector;
import io.isthmus.policy.model.Policy;
import io.isthmus.policy.model.PolicyPeer;
import io.isthmus.policy.model.PolicyPort;
import io.isthmus.policy.model.PolicyRule;
import io.isthmus.policy.model.PolicyValidator;
import io.isthmus.policy.model.Protocol;
import io.isthmus.policy.model.SelectorRequirement;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.isthmus.policy.Dsl.ALL;
import static io.isthmus.policy.Dsl.anyone;
import static io.isthmus.policy.Dsl.block;
import static io.isthmus.policy.Dsl.expr;
import static io.isthmus.policy.Dsl.peers;
import static io.isthmus.policy.Dsl.policy;
import static io.isthmus.policy.Dsl.rule;
import static io.isthmus.policy.model.SelectorOperator.DOES_NOT_EXIST;
import static io.isthmus.policy.model.SelectorOperator.EXISTS;
import static io.isthmus.policy.model.SelectorOperator.IN;
import static io.isthmus.policy.model.SelectorOperator.NOT_IN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SelectorsAndValidationTest {
    private static final Map<String, String> WEB = Map.of("app", "web", "tier", "front");

    @Test
    @DisplayName("labels.Selector: matchLabels and matchExpressions are ANDed; {} matches everything")
    void selectorSemantics() {
        assertTrue(ALL.matches(Map.of()));
        assertTrue(LabelSelector.ofLabels(Map.of("app", "web")).matches(WEB));
        assertFalse(LabelSelector.ofLabels(Map.of("app", "web", "tier", "back")).matches(WEB));
        assertFalse(new LabelSelector(Map.of("app", "web"), List.of(new SelectorRequirement("tier", NOT_IN, List.of("front")))).matches(WEB));
    }

    @Test
    @DisplayName("LabelSelectorRequirement: In, NotIn (true when the key is absent), Exists, DoesNotExist")
    void operators() {
        assertTrue(expr("app", IN, "web", "api").matches(WEB));
        assertFalse(expr("app", IN, "api").matches(WEB));
        assertFalse(expr("missing", IN, "x").matches(WEB));
        assertTrue(expr("app", NOT_IN, "api").matches(WEB));
        assertFalse(expr("app", NOT_IN, "web").matches(WEB));
        assertTrue(expr("missing", NOT_IN, "x").matches(WEB));
        assertTrue(expr("tier", EXISTS).matches(WEB));
        assertFalse(expr("missing", EXISTS).matches(WEB));
        assertTrue(expr("missing", DOES_NOT_EXIST).matches(WEB));
        assertFalse(expr("app", DOES_NOT_EXIST).matches(WEB));
    }

    @Test
    @DisplayName("API policyTypes default: Ingress always, Egress only when egress rules exist")
    void policyTypesDefault() {
        assertEquals(EnumSet.of(Direction.INGRESS), Policy.effectiveTypes(null, false));
        assertEquals(EnumSet.of(Direction.INGRESS, Direction.EGRESS), Policy.effectiveTypes(List.of(), true));
        assertEquals(EnumSet.of(Direction.EGRESS), Policy.effectiveTypes(List.of(Direction.EGRESS), false));
    }

    @Test
    void addressesAndCidrs() {
        assertEquals("10.1.2.3", IpAddress.parse("10.1.2.3").toString());
        assertNull(IpAddress.parse("10.1.2"));
        assertNull(IpAddress.parse("010.1.2.3"));
        assertNull(IpAddress.parse("256.1.2.3"));
        assertNull(IpAddress.parse("example.com"));
        assertEquals("2001:db8:0:0:0:0:0:1", IpAddress.parse("2001:db8::1").toString());
        assertEquals("10.0.0.0/8", Cidr.parse("10.1.2.3/8").toString());
        assertNull(Cidr.parse("10.0.0.0/33"));
        assertNull(Cidr.parse("10.0.0.0"));
        assertNull(Cidr.parse("10.0.0.0/abc"));
        assertTrue(Cidr.parse("10.0.0.0/8").contains(Cidr.parse("10.1.0.0/16")));
        assertFalse(Cidr.parse("10.1.0.0/16").contains(Cidr.parse("10.0.0.0/8")));
        assertFalse(Cidr.parse("0.0.0.0/0").contains(Cidr.parse("::/0")));
    }

    private static List<String> problems(PolicyRule rule) {
        return PolicyValidator.validate(policy("ns", "p", ALL).ingress(rule).build());
    }

    @Test
    @DisplayName("validation: what the API server refuses")
    void validation() {
        assertEquals(List.of(), problems(rule(peers(block("10.0.0.0/8", "10.1.0.0/16")), PolicyPort.range(Protocol.TCP, 80, 90))));
        assertEquals(List.of("spec.ingress[0].ports[0].endPort: may not be specified when port is not"),
                problems(anyone(new PolicyPort(Protocol.TCP, 0, null, 90))));
        assertEquals(List.of("spec.ingress[0].ports[0].endPort: may not be used with a named port"),
                problems(anyone(new PolicyPort(Protocol.TCP, 0, "http", 90))));
        assertEquals(List.of("spec.ingress[0].ports[0].endPort: 70 must be in 80..65535"),
                problems(anyone(PolicyPort.range(Protocol.TCP, 80, 70))));
        assertEquals(List.of("spec.ingress[0].ports[0].port: 'Not_A_Name' is neither a port number nor a valid port name (IANA_SVC_NAME)"),
                problems(anyone(PolicyPort.named(Protocol.TCP, "Not_A_Name"))));
        assertEquals(List.of("spec.ingress[0].ports[0].port: 70000 is not in 1..65535"), problems(anyone(PolicyPort.number(Protocol.UDP, 70000))));
        assertEquals(List.of("spec.ingress[0].from[0].ipBlock.except[0]: 11.0.0.0/16 must be a strict subset of cidr 10.0.0.0/8"),
                problems(rule(peers(block("10.0.0.0/8", "11.0.0.0/16")))));
        assertEquals(List.of("spec.ingress[0].from[0]: must specify podSelector, namespaceSelector or ipBlock"),
                problems(rule(peers(new PolicyPeer(null, null, null)))));
        assertEquals(List.of("spec.ingress[0].from[0].podSelector.matchExpressions[0]: operator In needs at least one value"),
                problems(rule(peers(PolicyPeer.pods(expr("app", IN))))));
        assertEquals(List.of("spec.ingress[0].from[0].namespaceSelector.matchExpressions[0]: operator Exists takes no values"),
                problems(rule(peers(PolicyPeer.namespaces(expr("app", EXISTS, "x"))))));
        assertEquals(List.of("spec.ingress[0].from[0]: ipBlock may not be combined with podSelector or namespaceSelector"),
                problems(rule(peers(new PolicyPeer(ALL, null, block("10.0.0.0/8").ipBlock())))));
        assertTrue(new Policy("ns", "p", ALL, Set.of(Direction.INGRESS), List.of(), List.of()).types().contains(Direction.INGRESS));
    }
}
