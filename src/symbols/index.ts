/**
 * Addresses → binary, function, source line: process maps from LTTng-UST statedump events,
 * ELF files and their separate debug files found as babeltrace2 finds them, and
 * `llvm-symbolizer` for DWARF.
 */
export { BinaryFile, DEFAULT_DEBUG_DIR, type BinaryStatus, type LookupOptions } from './binary.js';
export { eventDebugInfo, type EventDebugInfo } from './debug-info.js';
export { ElfFile } from './elf.js';
export { LlvmSymbolizer, type SymbolFrame } from './llvm-symbolizer.js';
export { NmSymbols } from './nm-file.js';
export { isMapEvent, ProcessMaps, toNumber, type CodeLocation } from './process-maps.js';
export { cHex, SymbolResolver, type ResolvedAddress, type SymbolOptions } from './resolver.js';
