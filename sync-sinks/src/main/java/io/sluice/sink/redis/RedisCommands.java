package io.sluice.sink.redis;

import io.sluice.sink.RetriableSinkException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisAskDataException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisMovedDataException;

/**
 * How a Redis sink's commands reach the servers: script calls grouped by slot and sent as one pipeline per primary,
 * and reads of many keys. In a cluster a call's keys must share a slot, so rows of different slots go in different
 * calls; a redirection is followed (MOVED: the slot has a new primary; ASK: the call goes to the importing node
 * after ASKING), and a node that lost the script gets it again. On one server every row shares "slot" 0, so calls
 * carry up to {@value RedisScript#ROWS_PER_CALL} rows as before.
 *
 * <p>Not thread-safe: the sink's one writing thread.
 */
final class RedisCommands {
    /** Rounds of redirections one batch follows before it is failed as retriable (the cluster is busy moving slots). */
    private static final int MAX_ROUNDS = 5;

    private final String sink;
    private final RedisNodes nodes;

    RedisCommands(String sink, RedisNodes nodes) {
        this.sink = sink;
        this.nodes = nodes;
    }

    /**
     * One call of the script: rows of one slot, in order, with their keys (each row's key and version key) and
     * arguments.
     *
     * @param <R> what the caller tracks per row
     */
    record Call<R>(int slot, List<String> keys, List<String> args, List<R> rows) {
    }

    /** Builds calls from rows in order: a row joins the open call of its slot until that call is full. */
    final class Calls<R> {
        private final Map<Integer, Call<R>> filling = new HashMap<>();
        private final List<Call<R>> calls = new ArrayList<>();

        /**
         * Adds a row at {@code key} (and {@code key:v}) whose script arguments {@code arguments} appends.
         *
         * @throws IllegalArgumentException from {@code arguments}; the row is then not added
         */
        void add(String key, R row, Consumer<List<String>> arguments) {
            int slot = nodes.slot(key);
            Call<R> call = filling.get(slot);
            if (call == null) {
                call = new Call<>(slot, new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            }
            int mark = call.args().size();
            try {
                arguments.accept(call.args());
            } catch (IllegalArgumentException e) {
                call.args().subList(mark, call.args().size()).clear();
                throw e;
            }
            if (call.rows().isEmpty()) {
                calls.add(call);
                filling.put(slot, call);
            }
            call.keys().add(key);
            call.keys().add(key + ":v");
            call.rows().add(row);
            if (call.rows().size() == RedisScript.ROWS_PER_CALL) {
                filling.remove(slot);
            }
        }

        List<Call<R>> calls() {
            return calls;
        }
    }

    <R> Calls<R> calls() {
        return new Calls<>();
    }

    /**
     * Sends the calls, one pipeline per primary (all sent before any is read, so that the primaries work at once),
     * following redirections.
     *
     * @return per call, the script's answer (one entry per row) or the {@link JedisDataException} Redis answered
     * @throws RetriableSinkException if a connection was lost, or calls were still redirected after
     *         {@value #MAX_ROUNDS} rounds
     */
    List<Object> run(List<? extends Call<?>> calls) {
        Object[] answers = new Object[calls.size()];
        List<Integer> pending = IntStream.range(0, calls.size()).boxed().toList();
        Map<Integer, HostAndPort> asked = Map.of();
        for (int round = 0; !pending.isEmpty(); round++) {
            if (round == MAX_ROUNDS) {
                throw new RetriableSinkException("Redis sink '" + sink + "': " + pending.size() + " script calls were still redirected after "
                        + MAX_ROUNDS + " rounds (the cluster is moving slots); the batch is tried again", null);
            }
            Map<HostAndPort, List<Integer>> byNode = new LinkedHashMap<>();
            for (int i : pending) {
                HostAndPort node = asked.containsKey(i) ? asked.get(i) : nodes.owner(calls.get(i).slot());
                byNode.computeIfAbsent(node, n -> new ArrayList<>()).add(i);
            }
            Map<Integer, Response<Object>> responses = new HashMap<>();
            Map<HostAndPort, Pipeline> pipelines = new LinkedHashMap<>();
            try {
                for (Map.Entry<HostAndPort, List<Integer>> e : byNode.entrySet()) {
                    Pipeline p = pipeline(e.getKey());
                    pipelines.put(e.getKey(), p);
                    for (int i : e.getValue()) {
                        if (asked.containsKey(i)) {
                            p.sendCommand(Protocol.Command.ASKING, new String[0]);
                        }
                        responses.put(i, p.evalsha(nodes.sha(), calls.get(i).keys(), calls.get(i).args()));
                    }
                }
                pipelines.forEach(this::sync);
            } catch (RetriableSinkException e) {
                pipelines.keySet().forEach(nodes::drop); // their answers are unread: the connections cannot be used again
                throw e;
            }
            List<Integer> again = new ArrayList<>();
            Map<Integer, HostAndPort> ask = new HashMap<>();
            for (Map.Entry<HostAndPort, List<Integer>> e : byNode.entrySet()) {
                for (int i : e.getValue()) {
                    try {
                        answers[i] = responses.get(i).get();
                    } catch (JedisAskDataException redirect) {
                        ask.put(i, redirect.getTargetNode());
                        again.add(i);
                    } catch (JedisMovedDataException redirect) {
                        nodes.moved(redirect.getSlot(), redirect.getTargetNode());
                        again.add(i);
                    } catch (JedisDataException refused) {
                        if (String.valueOf(refused.getMessage()).startsWith("NOSCRIPT")) {
                            nodes.drop(e.getKey()); // a node restarted without persistence, or new to the cluster: load it again
                            again.add(i);
                        } else {
                            answers[i] = refused;
                        }
                    }
                }
            }
            pending = again;
            asked = ask;
        }
        return Arrays.asList(answers);
    }

    /** The string values of keys (null where missing): one MGET on one server, a pipeline of GETs per primary in a cluster. */
    List<String> strings(List<String> keys) {
        if (!nodes.clustered()) {
            HostAndPort node = nodes.owner(0);
            try {
                return nodes.connection(node).mget(keys.toArray(String[]::new));
            } catch (JedisConnectionException e) {
                throw nodes.lost(node, e);
            }
        }
        return read(keys, Pipeline::get);
    }

    /** The hashes at keys (empty where missing), a pipeline of HGETALLs per primary. */
    List<Map<String, String>> hashes(List<String> keys) {
        return read(keys, Pipeline::hgetAll);
    }

    private <T> List<T> read(List<String> keys, BiFunction<Pipeline, String, Response<T>> command) {
        Map<HostAndPort, Pipeline> pipelines = new LinkedHashMap<>();
        List<Response<T>> responses = new ArrayList<>(keys.size());
        try {
            for (String key : keys) {
                responses.add(command.apply(pipelines.computeIfAbsent(nodes.owner(nodes.slot(key)), this::pipeline), key));
            }
            pipelines.forEach(this::sync);
        } catch (RetriableSinkException e) {
            pipelines.keySet().forEach(nodes::drop);
            throw e;
        }
        List<T> out = new ArrayList<>(keys.size());
        for (Response<T> r : responses) {
            try {
                out.add(r.get());
            } catch (JedisMovedDataException e) {
                nodes.moved(e.getSlot(), e.getTargetNode());
                throw new RetriableSinkException("Redis sink '" + sink + "': a slot moved while keys were read (" + e.getMessage() + ")", e);
            } catch (JedisAskDataException e) {
                throw new RetriableSinkException("Redis sink '" + sink + "': a slot moved while keys were read (" + e.getMessage() + ")", e);
            }
        }
        return out;
    }

    private Pipeline pipeline(HostAndPort node) {
        try {
            return nodes.connection(node).pipelined();
        } catch (JedisConnectionException e) {
            throw nodes.lost(node, e);
        }
    }

    private void sync(HostAndPort node, Pipeline p) {
        try {
            p.sync();
        } catch (JedisConnectionException e) {
            throw nodes.lost(node, e);
        }
    }
}
