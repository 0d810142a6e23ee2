// Browser entry point: registers the app's components.
import './app';
