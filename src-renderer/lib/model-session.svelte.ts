/**
 * Per-model state kept for the session: the Simulate and Board views are re-created when another
 * model is opened ({#key model.id}), but their state — the simulation result, the last profile and
 * its comparison — is looked up here by model (name and size), so switching back shows it again.
 *
 * Both maps are reactive: a reader such as the graph's overlays may look a slot up before the view
 * that makes it exists (the Model view is drawn first when a model opens), and must see the slot,
 * and so its result, once the view makes it.
 */
import { SvelteMap } from 'svelte/reactivity';
import type { OpenedModel } from '../../src-main/shared/api.ts';

type ModelKey = Pick<OpenedModel, 'name' | 'sizeBytes'>;

const kept = new SvelteMap<string, SvelteMap<string, unknown>>();

export function modelKey(model: ModelKey): string {
  return `${model.name}\u0000${model.sizeBytes}`;
}

/** The model's `slot` ('simulate', 'boards', …): made once with `make`, then the same object. */
export function keepForModel<T>(model: ModelKey, slot: string, make: () => T): T {
  const key = modelKey(model);
  let slots = kept.get(key);
  if (!slots) kept.set(key, (slots = new SvelteMap()));
  if (!slots.has(slot)) slots.set(slot, make());
  return slots.get(slot) as T;
}

/**
 * The model's `slot` if a view already made it (for readers such as the graph overlays), else
 * undefined; read in a `$derived`, it is read again when the slot is made.
 */
export function peekForModel<T>(model: ModelKey, slot: string): T | undefined {
  return kept.get(modelKey(model))?.get(slot) as T | undefined;
}
