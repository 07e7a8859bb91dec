// The integration test harness: a private real containerd, ctr helpers, test images and
// process queries. Every integration test imports from here.
export * from './containerd';
export * from './cri';
export * from './images';
export * from './process';
export * from './repo';
