package dev.rxpath.agent.relay;

import dev.rxpath.api.v1.GetPathsRequest;
import dev.rxpath.api.v1.GetPathsResponse;
import dev.rxpath.api.v1.LostEvent;
import dev.rxpath.api.v1.LostSource;
import dev.rxpath.api.v1.NodeState;
import dev.rxpath.api.v1.NodeStatusEvent;
import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.ServerCallStreamObserver;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One GetPaths call through the relay: the same request to every peer, their paths merged by
 * the time each entered its node, through a bounded sort buffer. Following, a path leaves the
 * buffer once it is older than the drain timeout (a later peer's older path could still
 * come until then), or when the buffer is full; the last {@code number} are the newest of all
 * the peers' histories. Node status (connected, unavailable and why) goes in band at once, as
 * does what a peer lost and what the buffer had to drop.
 *
 * <p>Invariant: everything runs under this object's lock, on gRPC's callback threads or the
 * peers' scheduler, and sends only while the client's transport is ready: no thread waits for
 * a slow client, which costs at most a full buffer.
 */
final class MergedPaths {
    private final ServerCallStreamObserver<GetPathsResponse> out;
    private final GetPathsRequest request;
    private final Peers peers;
    private final String relay;
    private final long drainNs;
    private final int capacity;
    private final long startNs = System.nanoTime();
    private final PriorityQueue<GetPathsResponse> buffer = new PriorityQueue<>(Comparator.comparingLong(MergedPaths::entered));
    private final ArrayDeque<GetPathsResponse> inBand = new ArrayDeque<>();
    private final Map<Peer, ClientCallStreamObserver<GetPathsRequest>> streams = new HashMap<>();
    private final Set<Peer> finished = new HashSet<>();
    private final Map<Peer, Long> lastEntered = new HashMap<>();
    private final Consumer<Peer> listener = this::peerChanged;
    /** The peers when the call began: a snapshot waits for these; a stream also takes peers that join later. */
    private final List<Peer> asked;
    private long dropped;
    private boolean answered, done;
    private ScheduledFuture<?> tick;

    MergedPaths(ServerCallStreamObserver<GetPathsResponse> out, GetPathsRequest request, Peers peers, String relay, long drainNs, int capacity) {
        this.out = out;
        this.request = request;
        this.peers = peers;
        this.relay = relay;
        this.drainNs = drainNs;
        this.capacity = capacity;
        this.asked = peers.all();
    }

    synchronized void start() {
        out.setOnReadyHandler(this::drain);
        out.setOnCancelHandler(this::end);
        List<String> connected = new ArrayList<>();
        for (Peer p : asked) {
            if (p.connected()) connected.add(p.name());
            else inBand.add(event(p.view()));
        }
        if (!connected.isEmpty()) inBand.addFirst(event(NodeState.NODE_STATE_CONNECTED, connected, ""));
        peers.listen(listener);
        for (Peer p : asked) open(p, request);
        tick = peers.scheduler().scheduleWithFixedDelay(this::drain, 50, 50, TimeUnit.MILLISECONDS);
    }

    private void open(Peer peer, GetPathsRequest req) {
        var stub = req.getFollow() ? peer.streamStub() : peer.stub();
        stub.getPaths(req, new ClientResponseObserver<GetPathsRequest, GetPathsResponse>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<GetPathsRequest> call) {
                synchronized (MergedPaths.this) {
                    streams.put(peer, call);
                }
            }

            @Override
            public void onNext(GetPathsResponse r) {
                received(peer, r);
            }

            @Override
            public void onError(Throwable t) {
                Status status = Status.fromThrowable(t);
                if (status.getCode() == Status.Code.INVALID_ARGUMENT) refused(status);
                else ended(peer);
                peer.failed(status);
            }

            @Override
            public void onCompleted() {
                ended(peer);
            }
        });
    }

    private synchronized void received(Peer peer, GetPathsResponse r) {
        if (done) return;
        if (!r.hasPath()) {
            inBand.add(r); // the peer's own losses, named by its node
        } else {
            lastEntered.put(peer, entered(r));
            if (buffer.size() >= capacity && request.getFollow()) {
                buffer.poll(); // the oldest goes: it is the one a slow client would have had first
                dropped++;
            }
            buffer.add(r);
            // a snapshot answers with the newest `number` of all: an older one can go at once
            if (!request.getFollow() && buffer.size() > request.getNumber()) buffer.poll();
        }
        drain();
    }

    private synchronized void ended(Peer peer) {
        streams.remove(peer);
        finished.add(peer);
        drain();
    }

    /** A peer refused the request as malformed: every node runs the same checks, so the client hears it. */
    private synchronized void refused(Status status) {
        if (done) return;
        end();
        out.onError(status.asRuntimeException());
    }

    /** A peer's state changed: say so, and follow its paths again once it is back. */
    private synchronized void peerChanged(Peer peer) {
        if (done) return;
        inBand.add(event(peer.view()));
        if (request.getFollow() && peer.connected() && !streams.containsKey(peer)) {
            GetPathsRequest.Builder again = request.toBuilder().setNumber(0);
            Long last = lastEntered.get(peer);
            if (last != null) again.setSince(timestamp(last + 1));
            open(peer, again.build());
        }
        drain();
    }

    private synchronized void drain() {
        if (done) return;
        // every peer sent its last `number`, and the buffer kept the newest of them all: the answer
        if (!request.getFollow() && finished.containsAll(asked)) answered = true;
        long now = System.nanoTime();
        long horizon = wallNanos() - drainNs;
        while (out.isReady()) {
            if (dropped > 0) {
                out.onNext(response().setLost(LostEvent.newBuilder().setSource(LostSource.LOST_SOURCE_SUBSCRIBER_QUEUE).setCpu(-1)
                        .setCount(dropped)).build());
                dropped = 0;
            } else if (!inBand.isEmpty()) {
                out.onNext(inBand.poll());
            } else if (!buffer.isEmpty() && (answered
                    || (request.getFollow() && now - startNs >= drainNs && entered(buffer.peek()) <= horizon))) {
                out.onNext(buffer.poll());
            } else {
                break;
            }
        }
        if (answered && buffer.isEmpty() && inBand.isEmpty() && dropped == 0) {
            out.onCompleted();
            end();
        }
    }

    private synchronized void end() {
        if (done) return;
        done = true;
        peers.unlisten(listener);
        if (tick != null) tick.cancel(false);
        for (ClientCallStreamObserver<GetPathsRequest> call : streams.values()) call.cancel("the client is gone", null);
        streams.clear();
    }

    private GetPathsResponse event(Peer.View v) {
        return event(v.state(), List.of(v.name()), v.message());
    }

    private GetPathsResponse event(NodeState state, List<String> names, String message) {
        return response().setNodeStatus(NodeStatusEvent.newBuilder().setState(state).addAllNodeNames(names).setMessage(message)).build();
    }

    private GetPathsResponse.Builder response() {
        return GetPathsResponse.newBuilder().setNodeName(relay).setTime(timestamp(wallNanos()));
    }

    /** When the path entered its node (its first stage), wall-clock nanoseconds. */
    static long entered(GetPathsResponse r) {
        Timestamp t = r.getPath().getStagesCount() > 0 ? r.getPath().getStages(0).getTime() : r.getTime();
        return t.getSeconds() * 1_000_000_000L + t.getNanos();
    }

    private static long wallNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static Timestamp timestamp(long nanos) {
        return Timestamp.newBuilder().setSeconds(Math.floorDiv(nanos, 1_000_000_000L)).setNanos((int) Math.floorMod(nanos, 1_000_000_000L)).build();
    }
}
