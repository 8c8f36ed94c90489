"""ThiDua Flow's generic BPMN engine on SpiffWorkflow: never imports web/ or workflows/."""
from engine.config import EngineConfig
from engine.handlers import HandlerRegistry, ServiceTaskContext
from engine.process_engine import ProcessEngine
from engine.tasks import TaskQuery

__all__ = ["EngineConfig", "HandlerRegistry", "ProcessEngine", "ServiceTaskContext", "TaskQuery"]
