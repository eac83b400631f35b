/**
 * The program a worker node runs, as source for `new Worker(source, { eval: true })`: a
 * worker needs no file of its own, so it runs the same from source, tests and a bundle.
 * It loads an actor class by module URL and export name, and runs its methods on request.
 * Actor classes attach their context through `Symbol.for('bulwark.actor.attach')`, so the
 * runtime does not need to import bulwark itself.
 */
export const workerRuntimeSource = `
const { parentPort, workerData } = require('node:worker_threads');
const attach = Symbol.for('bulwark.actor.attach');
const actors = new Map();
const serialise = (error) =>
  error instanceof Error
    ? { name: error.name, message: error.message, stack: error.stack }
    : { name: typeof error, message: String(error) };
let ready;
const preload = () =>
  (ready ??= (async () => {
    for (const specifier of workerData.preload) await import(specifier);
  })());
async function handle(message) {
  switch (message.op) {
    case 'spawn': {
      await preload();
      const module = await import(message.moduleUrl);
      const ActorClass = module[message.exportName];
      if (typeof ActorClass !== 'function') {
        throw new TypeError(message.moduleUrl + ' has no export "' + message.exportName + '"');
      }
      const instance = new ActorClass(message.actorId, ...message.args);
      const ref = {
        actorId: message.actorId,
        tell: (type, payload) => parentPort.postMessage({ op: 'tell', actorId: message.actorId, type, payload }),
        ask: () => Promise.reject(new Error('ask is not available on a worker node')),
      };
      const context = {
        ref,
        system: undefined,
        stopSelf: () => parentPort.postMessage({ op: 'exit', actorId: message.actorId }),
      };
      if (typeof ActorClass[attach] === 'function') ActorClass[attach](instance, context);
      actors.set(message.actorId, instance);
      return undefined;
    }
    case 'call': {
      const instance = actors.get(message.actorId);
      if (instance === undefined) throw new Error('Actor "' + message.actorId + '" is not on this node');
      return await instance[message.method](...message.args);
    }
    case 'load':
      await preload();
      await import(message.moduleUrl);
      parentPort.postMessage({ op: 'loaded', moduleUrl: message.moduleUrl });
      return undefined;
    case 'release':
      actors.delete(message.actorId);
      return undefined;
  }
}
// Tells the main thread at once, instead of after the thread is torn down, so actors move sooner.
process.on('uncaughtExceptionMonitor', (error) => parentPort.postMessage({ op: 'crashing', error: serialise(error) }));
process.on('exit', (code) => parentPort.postMessage({ op: 'dying', code }));
// Warm up at once, so a node is ready before an actor has to move to it.
preload().catch(() => {});
parentPort.on('message', (message) => {
  handle(message).then(
    (value) => {
      if (message.seq === undefined) return;
      try {
        parentPort.postMessage({ op: 'reply', seq: message.seq, ok: true, value });
      } catch (error) {
        parentPort.postMessage({ op: 'reply', seq: message.seq, ok: false, error: serialise(error) });
      }
    },
    (error) => {
      if (message.seq !== undefined) {
        parentPort.postMessage({ op: 'reply', seq: message.seq, ok: false, error: serialise(error) });
      }
    },
  );
});
`;
