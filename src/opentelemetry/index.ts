/**
 * Reserved entry point; its adapter ships in a later release.
 * @module
 */
export {};
