package io.isthmus.slowpath.cni;

import com.fasterxml.jackson.databind.JsonNode;
import io.isthmus.cni.shim.CniVersions;
import io.isthmus.cni.shim.CniWire;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The CNI specification's semantics for one request: ADD allocates an address and builds the
 * attachment (undoing the allocation if that fails), DEL is idempotent, CHECK compares with the
 * prevResult and the live state, GC removes attachments that are not in
 * {@code cni.dev/valid-attachments}, STATUS reports whether ADD can be served.
 *
 * <p><b>Thread-safety:</b> not thread-safe; the CNI server calls it from one thread, which makes
 * it the single writer of the {@link IpamStore} and the backend.
 */
public final class CniHandler {
    private static final System.Logger LOG = System.getLogger(CniHandler.class.getName());
    private final IpamStore ipam;
    private final PodNetworkBackend backend;

    public CniHandler(IpamStore ipam, PodNetworkBackend backend) {
        this.ipam = ipam;
        this.backend = backend;
    }

    /** Serves one relayed request; never throws. */
    public CniWire.Response handle(Map<String, String> environment, byte[] stdin) {
        String version = CniVersions.NEWEST;
        try {
            final CniRequest request = CniRequest.parse(environment, stdin);
            if (!request.cniVersion().isEmpty()) {
                version = request.cniVersion();
            }
            return switch (request.command()) {
                case VERSION -> ok(CniVersions.versionResult(version));
                case ADD -> ok(add(request));
                case DEL -> {
                    delete(request);
                    yield ok("");
                }
                case CHECK -> {
                    check(request);
                    yield ok("");
                }
                case GC -> {
                    garbageCollect(request);
                    yield ok("");
                }
                case STATUS -> {
                    status();
                    yield ok("");
                }
            };
        } catch (CniException e) {
            return failure(CniResultJson.error(version, e).toString());
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "CNI " + environment.getOrDefault("CNI_COMMAND", "?") + " failed", e); // the runtime gets code 5
            return failure(CniResultJson.error(version, new CniException(CniException.IO_FAILURE, "internal error", e)).toString());
        }
    }

    private String add(CniRequest request) throws CniException, IOException {
        final Allocation allocation = ipam.allocate(request.networkName(), request.containerId(), request.ifName());
        final PodAttachment attachment = attachment(request, allocation);
        try {
            final PodInterfaces interfaces = backend.add(attachment);
            return CniResultJson.addResult(request, attachment, interfaces).toString();
        } catch (CniException | IOException | RuntimeException e) {
            try {
                ipam.release(request.networkName(), request.containerId(), request.ifName());
            } catch (IOException | RuntimeException releaseFailure) {
                e.addSuppressed(releaseFailure); // the first failure is the one to report
            }
            throw e;
        }
    }

    private void delete(CniRequest request) throws IOException {
        backend.delete(PodAttachment.hostInterfaceName(request.containerId(), request.ifName()), request.netns(), request.ifName());
        ipam.release(request.networkName(), request.containerId(), request.ifName());
    }

    private void check(CniRequest request) throws CniException, IOException {
        final JsonNode prevResult = request.prevResult();
        if (prevResult == null) {
            throw new CniException(CniException.INVALID_NETWORK_CONFIG, "CHECK needs a prevResult in the network configuration");
        }
        final Allocation allocation = ipam.find(request.networkName(), request.containerId(), request.ifName())
                .orElseThrow(() -> new CniException(CniException.UNKNOWN_CONTAINER,
                        "container " + request.containerId() + " interface " + request.ifName() + " is not attached to network " + request.networkName()));
        final String expected = allocation.address().getHostAddress() + "/32";
        boolean listed = false;
        for (JsonNode ip : prevResult.path("ips")) {
            listed |= expected.equals(ip.path("address").asText());
        }
        if (!listed) {
            throw new CniException(CniException.CHECK_FAILED, "prevResult does not list the attachment's address " + expected);
        }
        backend.check(attachment(request, allocation));
    }

    private void garbageCollect(CniRequest request) throws CniException, IOException {
        final JsonNode valid = request.config().get("cni.dev/valid-attachments");
        if (valid != null && !valid.isArray()) {
            throw new CniException(CniException.INVALID_NETWORK_CONFIG, "cni.dev/valid-attachments must be a list");
        }
        final Set<String> keep = new HashSet<>();
        if (valid != null) {
            for (JsonNode attachment : valid) {
                keep.add(attachment.path("containerID").asText() + "\0" + attachment.path("ifname").asText());
            }
        }
        IOException firstFailure = null;
        for (Allocation allocation : ipam.all(request.networkName())) {
            if (keep.contains(allocation.containerId() + "\0" + allocation.ifName())) {
                continue;
            }
            try {
                backend.delete(PodAttachment.hostInterfaceName(allocation.containerId(), allocation.ifName()), "", allocation.ifName());
                ipam.release(allocation.network(), allocation.containerId(), allocation.ifName());
            } catch (IOException e) { // go on with the others, report the first failure at the end
                firstFailure = firstFailure == null ? e : firstFailure;
            }
        }
        if (firstFailure != null) {
            throw firstFailure;
        }
    }

    private void status() throws CniException {
        final Optional<String> reason = backend.unavailableReason();
        if (reason.isPresent()) {
            throw new CniException(CniException.PLUGIN_NOT_AVAILABLE, "Isthmus cannot add pods now", reason.get());
        }
    }

    private static PodAttachment attachment(CniRequest request, Allocation allocation) {
        return new PodAttachment(request.containerId(), request.netns(), request.ifName(),
                PodAttachment.hostInterfaceName(request.containerId(), request.ifName()), allocation.address(), PodAttachment.GATEWAY);
    }

    private static CniWire.Response ok(String stdout) {
        return new CniWire.Response(0, stdout.getBytes(StandardCharsets.UTF_8), new byte[0]);
    }

    private static CniWire.Response failure(String stdout) {
        return new CniWire.Response(1, stdout.getBytes(StandardCharsets.UTF_8), new byte[0]);
    }
}
