/**
 * Keeps the last object handed to it alive, and with it that object's class. V8 holds an
 * object's hidden class only weakly once no live object has it: when every order, resting order
 * or engine of a finished backtest is garbage, a full collection (forced between the bench's
 * runs, and due now and then in an optimizer's worker) drops their classes and marks all code
 * compiled for them for deoptimization (`node --trace-deopt`: "reason: weak objects"), so the
 * next run starts in the interpreter again. One live object per class keeps the class and the
 * code; test/backtest/keptClasses.test.ts fails when a class of the backtest path is left out.
 * The object is never read: holding it is the whole purpose.
 */
export class ClassKeeper<T extends object> {
  private last: T | undefined;

  keep(o: T): void {
    this.last = o;
  }
}
