package io.isthmus.policy.explain;

import io.isthmus.policy.model.IpAddress;
import io.isthmus.policy.model.PodInfo;

/** One end of a connection for the explainer: a known pod, or an address that is no pod's. */
public sealed interface Endpoint {

    record Pod(PodInfo pod) implements Endpoint {
        @Override
        public String toString() {
            return pod.key();
        }
    }

    record Address(IpAddress address) implements Endpoint {
        @Override
        public String toString() {
            return address.toString();
        }
    }
}
