import { CommandError } from '../errors/diagnostic.js';

/** A service that cannot be turned into a container spec (unsupported or inconsistent at runtime). */
export class SpecError extends CommandError {
  constructor(message: string) {
    super(message);
    this.name = 'SpecError';
  }
}
