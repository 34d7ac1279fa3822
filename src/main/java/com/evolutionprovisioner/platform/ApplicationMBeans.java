package com.evolutionprovisioner.platform;

import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.logging.Logger;
import javax.management.JMException;
import javax.management.ObjectName;
import javax.management.StandardMBean;

/**
 * Registers the application's MXBeans in the platform MBean server, the one way every component does it. JMX calls
 * arrive on RMI threads without the application's context class loader, which CDI needs: each call runs with the
 * class loader of the thread that registered the bean. A bean registered by an earlier deployment is replaced.
 */
public final class ApplicationMBeans {

    private static final Logger LOG = Logger.getLogger(ApplicationMBeans.class.getName());

    private ApplicationMBeans() {
    }

    /** Returns the registered name, or null when registration failed (logged: JMX is an aid, not a reason to stop). */
    public static <T> ObjectName register(String objectName, Class<T> mxbeanInterface, T implementation) {
        try {
            ObjectName name = new ObjectName(objectName);
            var server = ManagementFactory.getPlatformMBeanServer();
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
            server.registerMBean(new StandardMBean(inApplication(mxbeanInterface, implementation), mxbeanInterface, true), name);
            return name;
        } catch (JMException e) {
            LOG.warning(() -> "Could not register " + objectName + ": " + e);
            return null;
        }
    }

    public static void unregister(ObjectName name) {
        if (name == null) {
            return;
        }
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
        } catch (JMException | RuntimeException e) {
            LOG.fine(() -> "Unregistering " + name + ": " + e);
        }
    }

    private static <T> T inApplication(Class<T> mxbeanInterface, T implementation) {
        ClassLoader application = Thread.currentThread().getContextClassLoader();
        Object proxy = Proxy.newProxyInstance(mxbeanInterface.getClassLoader(), new Class<?>[] {mxbeanInterface},
                (self, method, arguments) -> {
                    Thread thread = Thread.currentThread();
                    ClassLoader previous = thread.getContextClassLoader();
                    thread.setContextClassLoader(application);
                    try {
                        return method.invoke(implementation, arguments);
                    } catch (InvocationTargetException failure) {
                        throw failure.getCause();
                    } finally {
                        thread.setContextClassLoader(previous);
                    }
                });
        return mxbeanInterface.cast(proxy);
    }
}
