/**
 * One frame of a profile on a board (BoardSession.profileStream runs one per frame): upload the
 * model unless the stream already did, write the inputs, run with every op's output streamed back,
 * fetch what the line lost again, read ticks and arena use. The frame number the INVOKEs carry
 * (PROTOCOL.md §8) is the session's for the frame.
 */
import { RAW_DTYPE_SIZE } from '../../core/normalize/normalize.ts';
import { ProtocolError } from '../../core/protocol/errors.ts';
import { OP_OUTPUT_HEADER } from '../../core/protocol/messages.ts';
import { missingBytes, type OpSink } from '../../core/protocol/op-assembly.ts';
import { splitOpOutputs } from '../../core/protocol/op-outputs.ts';
import { readTflite } from '../../core/model/tflite-reader.ts';
import type { Model } from '../../core/model/ir.ts';
import type { InvokeDone, ModelInfo } from '../../core/protocol/replies.ts';
import { bestFrameData } from './line-quality.ts';
import { refetchMissing, rerunHoles } from './output-refetch.ts';
import {
  STREAM_OVERHEAD,
  type FrameSession,
  type ProfileOptions,
  type ProfilePhases,
  type ProfileResult,
  type RawInput,
  type RunOptions,
} from './session-types.ts';
import type { UploadResult } from './upload.ts';

/** The model parsed once for all frames of a stream (the op outputs' sizes). */
const parsedModels = new WeakMap<Uint8Array, Model>();
function parsed(bytes: Uint8Array): Model {
  let m = parsedModels.get(bytes);
  if (!m) parsedModels.set(bytes, (m = readTflite(bytes)));
  return m;
}

export async function profileFrame(
  session: FrameSession,
  modelBytes: Uint8Array,
  inputs: (Uint8Array | RawInput)[],
  opts: ProfileOptions,
  started: number,
  loaded?: { model: ModelInfo; upload: UploadResult },
): Promise<ProfileResult> {
  const phases: ProfilePhases = { upload: 0, commit: 0, inputs: 0, run: 0, refetch: 0, readback: 0 };
  let mark = performance.now();
  const lap = (phase: keyof ProfilePhases) => {
    const now = performance.now();
    phases[phase] += now - mark;
    mark = now;
  };
  // a stream uploads once: its later frames run on the model the first one loaded
  const { model, upload } =
    loaded ??
    (await session.loadUnlocked(
      modelBytes,
      // the upload may take at most 3/5 of the noisy-line limit: inputs and re-runs need the rest
      { ...opts, noisyLimitMs: 0.6 * (opts.noisyLimitMs ?? 45_000) },
      phases,
    ));
  mark = performance.now();
  if (inputs.length !== model.inputs.length) {
    throw new ProtocolError('BAD_ARG', `model has ${model.inputs.length} input(s), ${inputs.length} given`);
  }
  inputs.forEach((d, i) => {
    if (d instanceof Uint8Array) {
      if (d.length !== model.inputs[i].bytes)
        throw new ProtocolError('BAD_ARG', `input ${i} needs ${model.inputs[i].bytes} B, got ${d.length} B`);
    } else {
      const elems = model.inputs[i].bytes / (model.inputs[i].dtype === 0 ? 4 : 1);
      if (d.data.length !== elems * (RAW_DTYPE_SIZE[d.dtype] ?? 0))
        throw new ProtocolError(
          'BAD_ARG',
          `raw input ${i} needs ${elems} ${d.dtype} samples, got ${d.data.length} B`,
        );
    }
  });
  // On a noisy line the whole profile keeps to the upload's limit: a line that lets the upload
  // through just in time must not then spend minutes on inputs and re-runs.
  const limitMs = opts.noisyLimitMs ?? 45_000;
  const budget = (doing: string) => {
    const q = session.link.quality;
    const s = (performance.now() - started) / 1000;
    if (s * 1000 > limitMs && q.byteErrorRate >= 1e-3)
      throw new ProtocolError(
        'TIMEOUT',
        `line too noisy: ${Math.round(100 * q.damagedShare)}% of the frames arrive damaged (byte error rate ~${q.byteErrorRate.toExponential(0)} or more); the profile stopped after ${s.toFixed(0)} s (limit ${Math.round(limitMs / 1000)} s) with ${doing}. Check the cable, the baud rate and ground`,
      );
  };
  const setAll = async () => {
    budget('the inputs still to write');
    for (let i = 0; i < inputs.length; i++) {
      const d = inputs[i];
      if (d instanceof Uint8Array) await session.setInput(i, d, opts.signal);
      else await session.setRawInput(i, d, opts.signal);
    }
  };
  const sink: OpSink = new Map();
  await setAll();
  const inputTensors: (Uint8Array | null)[] = [];
  for (let i = 0; i < inputs.length; i++)
    inputTensors.push(
      inputs[i] instanceof Uint8Array ? null : await session.readInput(i, model.inputs[i].bytes, opts.signal),
    );
  lap('inputs');
  const run: RunOptions = { signal: opts.signal, timeoutMs: opts.invokeTimeoutMs };
  // stream pieces that move the most data per byte on the line measured so far (at 1e-3 ~160 B:
  // 17% lost, where the 256 B of a 7-in-10-intact rule lose 25%, about as many holes in all)
  const piece = () =>
    bestFrameData(
      session.link.quality.byteErrorRate,
      STREAM_OVERHEAD,
      16,
      session.link.hello.maxBody - OP_OUTPUT_HEADER,
    );
  // The first run streams every op. If its end is lost on the line, what arrived counts and the
  // re-fetch below asks for the rest (the board saved the inputs this run started with).
  let done: InvokeDone | null = null;
  const t0 = performance.now();
  try {
    const complete = () => missingBytes(sink, model.ops) === 0;
    ({ done } = await session.invokeStreaming({ firstOp: 0, lastOp: model.ops - 1, piece: piece() }, sink, {
      ...run,
      complete,
    }));
  } catch (e) {
    if (!(e instanceof ProtocolError && e.code === 'TIMEOUT')) throw e;
  }
  lap('run');
  // the first run's wall time, streaming included (an emulated board's ticks are not wall time)
  run.runMs = performance.now() - t0;
  const inputBytes = model.inputs.reduce((n, t) => n + t.bytes, 0);
  const inputState = { fresh: false };
  const refetched = await refetchMissing(
    session,
    model.ops,
    sink,
    opts.maxRefetch ?? 4,
    (holes) =>
      rerunHoles(
        session,
        holes,
        sink,
        { ...run, piece: piece(), mergeBytes: 4096 + 4 * inputBytes },
        setAll,
        inputState,
      ),
    budget,
  );
  lap('refetch');
  // Ticks of the full run (a re-run overwrote the board's table, so take the streamed values
  // of the first run where available; they come from the same counter).
  const ticks = refetched.length ? null : await session.readTicks(model.ops, opts.signal);
  const streamed = Array.from({ length: model.ops }, (_, i) => {
    const a = sink.get(i)!;
    return { index: i, tensor: a.tensor, ticks: ticks ? ticks[i] : a.ticks, data: a.data };
  });
  // a board with ALL_OUTPUTS sent each op's outputs as one range: one entry per output (§3)
  const ops = session.allOutputs ? splitOpOutputs(parsed(modelBytes), streamed) : streamed;
  const arena = await session.arenaStats();
  lap('readback');
  return {
    board: session.link.hello,
    model,
    ops,
    tickHz: session.link.hello.tickHz,
    totalTicks: ticks
      ? ticks.reduce((s, t) => s + t, 0)
      : (done?.totalTicks ?? ops.reduce((s, op) => s + op.ticks, 0)),
    arenaUsed: arena.arenaUsed,
    upload,
    refetchedOps: refetched,
    phases,
    inputTensors,
  };
}
