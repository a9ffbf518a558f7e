/** Job worker entry (bundled as `out/main/job-worker.js` by electron-vite). */
import { serveTasks } from './worker-loop.ts';
import { TASKS } from './tasks.ts';

serveTasks(TASKS);
