/** A service that cannot be turned into a container spec (unsupported or inconsistent at runtime). */
export class SpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpecError';
  }
}
