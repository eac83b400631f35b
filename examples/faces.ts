import { FallbackPolicy, getResilienceMetadata, pipeline, withFallback } from '../src/index.js';

const prices = new Map([['espresso', 2.5]]);

function lookUpPrice(item: string): number {
  const price = prices.get(item);
  if (price === undefined) throw new Error(`no price for ${item}`);
  return price;
}

class Menu {
  @withFallback(0, { on: (error) => error instanceof Error && error.message.startsWith('no price') })
  price(item: string): number {
    return lookUpPrice(item);
  }
}

/** Shows the same fallback as a policy object, a higher-order function and a decorator. */
export async function demoFaces(log: (line: string) => void): Promise<void> {
  const policy = new FallbackPolicy(0);
  log(`policy object: espresso costs ${await policy.execute(() => lookUpPrice('espresso'))}`);
  log(`policy object: a missing price falls back to ${await policy.execute(() => lookUpPrice('caviar'))}`);

  const safePrice = withFallback(0)(lookUpPrice);
  log(`higher-order function: stays synchronous, caviar → ${safePrice('caviar')}`);

  const menu = new Menu();
  log(`decorator: menu.price('latte') → ${menu.price('latte')}`);
  log(
    `decorator metadata: ${JSON.stringify(getResilienceMetadata(Menu).methods.price?.map((entry) => entry.policy))}`,
  );

  const layered = pipeline(
    new FallbackPolicy('outer fallback'),
    new FallbackPolicy('inner fallback', { on: () => false }),
  );
  log(
    `pipeline(outer, inner): a failure the inner policy lets through → ${await layered.execute(() => lookUpPrice('x'))}`,
  );
}
