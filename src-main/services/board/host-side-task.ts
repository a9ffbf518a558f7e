/**
 * Worker task 'compare.host': the host side of a board comparison (simulator run with every
 * layer tapped, cost-model estimate) computed in a job worker, so a big model never blocks the
 * main process while its board session streams.
 */
import { hostSide, type HostSide, type HostSideSpec } from '../../core/compare/host-side.ts';
import { ModelFormatError } from '../../core/model/errors.ts';
import { SimulateError } from '../../core/simulate/errors.ts';
import { ServiceError } from '../errors.ts';
import type { TaskContext } from '../jobs/messages.ts';

export function hostSideTask(p: HostSideSpec, ctx: TaskContext): HostSide {
  ctx.progress(0, 'Simulating on the host');
  try {
    return hostSide(p);
  } catch (e) {
    if (e instanceof ModelFormatError) throw new ServiceError('MALFORMED_MODEL', e.message);
    if (e instanceof SimulateError)
      throw new ServiceError(e.code === 'INPUT' ? 'BAD_ARGUMENT' : 'UNSUPPORTED', e.message, {
        simulate: e.code,
      });
    throw e;
  }
}
